"""Rule 10 with differential privacy in the app: the command, the yearly budget, the pages
and files, and how private releases sit beside suppression releases."""
import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.statistics import services
from jgrad.statistics.models import StatRelease


@pytest.fixture
def registrants(runner):
    result = runner.invoke(args=["demo-data", "--registrants", "150"])
    assert result.exit_code == 0, result.output


def _release(runner, *args):
    return runner.invoke(args=["stats", "release", *args])


def _rows() -> list[StatRelease]:
    return db.session.scalars(sa.select(StatRelease).order_by(StatRelease.id)).all()


def test_a_private_release_publishes_every_count_and_says_how_close_it_is(
        registrants, runner, client, login, make_account, tmp_path):
    out = tmp_path / "release"
    result = _release(runner, "--method", "differential_privacy", "--as-of", "2026-05-01",
                      "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "differential privacy: rho 0.5" in result.output
    row = _rows()[-1]
    rules = row.meta["rules"]
    assert row.meta["method"] == "differential_privacy" and rules["rho"] == 0.5
    margin = rules["margin_95"]
    assert margin > 0 and rules["epsilon"] > 0 and rules["rho_this_year"] == 0.5

    meta = json.loads((out / "ja" / "release.json").read_text(encoding="utf-8"))
    assert meta["method"] == "differential_privacy"
    assert meta["rule_names"]["rho"].startswith("この公表によるプライバシー損失")
    count_tables = [t for t in meta["tables"] if t["measure"] == "count"]
    assert not any(t["withheld"] for t in meta["tables"])
    for table in count_tables:  # nothing hidden, nothing rounded to fives
        assert table["margin_95"] == margin
        text = (out / "en" / f"{table['id']}.csv").read_text(encoding="utf-8-sig")
        cells = [cell for line in list(csv.reader(io.StringIO(text)))[1:]
                 for cell in line[len(table["rows"]):]]
        assert cells and all(cell.lstrip("-").isdigit() and int(cell) >= 0 for cell in cells)

    make_account(role=Role.ANALYST, email="analyst@example.org")
    login("analyst@example.org")
    listing = client.get("/stats/").get_data(as_text=True)
    assert "differential privacy" in listing
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    assert "protected by differential privacy" in page
    assert "Privacy loss of this release (zero-concentrated, rho)" in page
    assert "<dd>0.5</dd>" in page and "<dd>1e-07</dd>" in page  # numbers, not percentages
    table = client.get(f"/stats/{row.id}/tables/registrants_by_status_field")
    text = table.get_data(as_text=True)
    assert table.status_code == 200 and f"±{margin}" in text
    assert f"Each count is within ±{margin} of the true count, 95 times in 100." in text
    client.submit("/lang", {"lang": "ja", "next": "/"})
    japanese = client.get(f"/stats/{row.id}").get_data(as_text=True)
    assert "差分プライバシーで保護" in japanese and "イプシロン" in japanese


def test_the_years_privacy_budget_is_kept(registrants, runner, app):
    """A budget of 1.0 for the fiscal year (April to March): a release of 0.5 and another
    fit; one of 0.75 more is refused and leaves nothing behind; the next fiscal year has a
    budget of its own.  (Dry runs check the budget as real ones do, and store nothing.)"""
    app.config.update(STATS_DP_RHO=0.5, STATS_DP_RHO_PER_YEAR=1.0)
    private = ("--method", "differential_privacy")
    result = _release(runner, *private, "--as-of", "2026-04-01")
    assert result.exit_code == 0, result.output
    assert services.privacy_spent(dt.date(2027, 3, 31)) == 0.5
    assert services.privacy_spent(dt.date(2026, 3, 31)) == 0.0  # the fiscal year before
    second = _release(runner, *private, "--as-of", "2027-03-31", "--dry-run")
    assert second.exit_code == 0 and "this fiscal year rho 1" in second.output
    folders = sorted(services.releases_folder().iterdir())
    app.config["STATS_DP_RHO"] = 0.75
    refused = _release(runner, *private, "--as-of", "2026-10-01")
    assert refused.exit_code != 0
    assert "lost rho = 0.5 of the 1 allowed; one more would lose 0.75" in refused.output
    assert "nothing was released" in refused.output
    assert len(_rows()) == 1 and sorted(services.releases_folder().iterdir()) == folders
    # The scheduled job skips and says why, rather than failing every month.
    app.config["STATS_METHOD"] = "differential_privacy"
    skipped = services.scheduled_release(dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    assert "nothing was released" in skipped["skipped"] and len(_rows()) == 1
    # Built on what the year had spent; stored after another release of the year: refused.
    app.config["STATS_DP_RHO"] = 0.25
    moment = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    (one, _), (other, _) = services.build(moment), services.build(moment)
    services.store(one, None)
    with pytest.raises(services.PrivacyBudgetSpent, match="stored after this one was built"):
        services.store(other, None)
    assert [r.meta["rules"]["rho_this_year"] for r in _rows()] == [0.5, 0.75]
    assert len(list(services.releases_folder().iterdir())) == 2
    next_year = _release(runner, *private, "--as-of", "2027-04-01", "--dry-run")
    assert next_year.exit_code == 0, next_year.output
    assert "this fiscal year rho 0.25" in next_year.output


def test_suppression_releases_continue_each_other_across_a_private_one(
        registrants, runner, monkeypatch):
    """A private release starts no series and continues none: the next suppression release
    is built against the last suppression release, skipping the private one."""
    from jgrad.statistics.extract import people_frame, spells_frame
    from stats import release as stats_release
    from stats.catalogue import CATALOGUE

    moment = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    small = stats_release.build_release(people_frame(moment), spells_frame(moment),
                                        moment.date(), tables=CATALOGUE[:1])
    first = services.store(small, None)
    private = _release(runner, "--method", "differential_privacy", "--as-of", "2026-05-15")
    assert private.exit_code == 0, private.output
    assert services.latest().id != first.id and services.latest("suppression").id == first.id
    seen = {}

    class Built(Exception):
        pass

    def spy(*args, previous=None, **kwargs):
        seen["previous"] = previous
        raise Built

    monkeypatch.setattr(stats_release, "build_release", spy)
    with pytest.raises(Built):
        services.build(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    assert seen["previous"] is not None and seen["previous"].method == "suppression"
    assert list(seen["previous"].tables) == [CATALOGUE[0].id]  # the first release, read back


def test_an_unknown_method_is_refused(registrants, runner, app):
    result = _release(runner, "--method", "noise")
    assert result.exit_code != 0 and "Invalid value" in result.output
    app.config["STATS_METHOD"] = "noise"
    with pytest.raises(ValueError, match="unknown statistics method"):
        services.build(dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc))
    assert _rows() == []


def test_charts_are_drawn_once_the_release_is_stored_and_a_failure_leaves_it_standing(
        registrants, app, monkeypatch, caplog):
    """Writing a release draws no chart (drawing them took longer than the release); the
    scheduled job draws the catalogue's in the site's language right after storing, each
    once; a chart that cannot be drawn then is logged and drawn when first asked for."""
    app.config["STATS_METHOD"] = "differential_privacy"
    from jgrad.statistics import publish

    failing = {"on": True}
    real_chart = publish.chart

    def chart(*args, **kwargs):
        if failing["on"]:
            raise RuntimeError("no fonts today")
        return real_chart(*args, **kwargs)

    monkeypatch.setattr(publish, "chart", chart)
    done = services.scheduled_release(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    row = db.session.get(StatRelease, done["release"])
    folder = services.folder_of(row)
    assert done["charts"] == 0 and "were not drawn ahead" in caplog.text
    assert not list(folder.glob("*/*.png")) and not list(folder.glob("*/*.svg"))
    assert (folder / "en" / "income_by_field.csv").exists()  # the release itself stands

    failing["on"] = False
    catalogue = [t for t in row.meta["tables"] if t["breakdown_of"] is None
                 and not t["source"] and not t["withheld"]]
    assert services.draw_ahead(row) == len(catalogue) > 0
    assert sorted(p.name for p in (folder / "en").glob("*.svg")) == sorted(
        f"{t['id']}.svg" for t in catalogue)
    assert not list((folder / "ja").glob("*.svg"))  # other languages: when asked for
    assert services.draw_ahead(row) == 0  # each drawn once
