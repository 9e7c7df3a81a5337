# The two commands: `make run` (the site on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_REGISTRANTS ?= 500
FLASK := $(BIN)/flask --app jgrad
# Links in mail sent by the scheduler point at the local server.
DEV_ENV := JGRAD_ENV=development JGRAD_SERVER_NAME_FOR_MAIL=$${JGRAD_SERVER_NAME_FOR_MAIL:-http://$(HOST):$(PORT)}

.PHONY: run serve scheduler test bench install translations messages clean browser-tools

$(VENV)/.installed: setup.cfg pyproject.toml
	@echo "Installing JGRAD and its dependencies into $(VENV)/ (a minute or two the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar on -e ".[dev]"
	@echo "Installed."
	touch $@

install: $(VENV)/.installed

# Compiled catalogues (.mo) are built, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d jgrad/translations -D messages

# Re-extract the English strings and merge them into the Japanese catalogue.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  -o jgrad/translations/messages.pot .
	$(BIN)/pybabel update -i jgrad/translations/messages.pot -d jgrad/translations \
	  --no-fuzzy-matching --ignore-obsolete

# The scheduler runs in its own process beside the web server and stops with it.
# The log-ins are printed last, once the scheduler and the server have said they started.
run: translations
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) demo-data --registrants $(DEMO_REGISTRANTS) --if-empty --logins skip
	$(DEV_ENV) $(FLASK) scheduler --catch-up-only
	$(DEV_ENV) $(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	(sleep 2; $(DEV_ENV) $(FLASK) demo-data --logins only; echo; \
	 echo "Open http://$(HOST):$(PORT)/ (Ctrl-C stops the site and the scheduler)") & \
	$(DEV_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn (gunicorn.conf.py) over the configured database; see docs/deploy.md.
serve: translations
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Production: the scheduled jobs, one process per deployment, beside `make serve`.
scheduler: translations
	$(FLASK) scheduler

# Every benchmark at one size (docs/benchmarks.md): BENCH_N registrants (each script derives
# its size from it), on a new SQLite file per script, or BENCH_DB (a PostgreSQL URL of a
# database kept for benchmarks: each script empties it); BENCH_REDIS is the load case's
# rate-limit store. The table goes to bench-results.md.
BENCH_N ?= 20000
BENCH_DB ?=
BENCH_REDIS ?=
bench: translations
	BENCH_N=$(BENCH_N) BENCH_DB=$(BENCH_DB) BENCH_REDIS=$(BENCH_REDIS) $(BIN)/python bench/run.py

# Tests run on every core (pytest-xdist; each worker has its own database); PARALLEL= runs
# them in one process.
PARALLEL ?= -n auto
test: translations browser-tools
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

# The accessibility check loads axe-core (npm) into Chromium; without npm that test skips.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-tools: $(AXE)
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility check will be skipped"; fi

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
