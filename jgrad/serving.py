"""What the production server must have before it takes requests (checked by gunicorn)."""
from __future__ import annotations


def serving_problems(config, workers: int) -> list[str]:
    """Return why the site must not be served this way (empty when it may)."""
    problems = []
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if (config.get("ENV") == "production" and workers > 1 and config.get("RATELIMIT_ENABLED")
            and storage.startswith("memory")):
        # Each worker would count log-in failures on its own: N workers, N times the limit.
        problems.append(
            f"{workers} workers share no rate-limit store: set JGRAD_RATELIMIT_STORAGE_URI "
            "to a Redis URL (e.g. redis://127.0.0.1:6379), or run one worker.")
    return problems
