"""Analysts through the API: releases, tables and breakdowns, hidden cells flagged (rule 10)."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.statistics import services
from jgrad.statistics.models import StatRelease
from jgrad.statistics.publish import display_frame, read_release
from tests.api.conftest import auth


def test_rule10_analysts_read_release_tables_as_json_with_hidden_cells_flagged(
        client, runner, world):
    runner.invoke(args=["demo-data", "--registrants", "400"])
    result = runner.invoke(args=["stats", "release"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(sa.select(StatRelease))
    raw = world.token(world.analyst)
    listed = client.get("/api/v1/releases", headers=auth(raw)).json["items"]
    assert [r["id"] for r in listed] == [row.id]
    release = client.get(f"/api/v1/releases/{row.id}", headers=auth(raw)).json
    assert release["flags"] and release["tables"]
    stored = read_release(services.folder_of(row))
    shown = [t for t in release["tables"] if t["withheld"] is None]
    breakdowns = [t for t in shown if t["breakdown_of"]]
    assert breakdowns, "the catalogue has breakdowns"
    checked = hidden = 0
    for summary in [*shown[:3], breakdowns[0]]:
        response = client.get(f"/api/v1/releases/{row.id}/tables/{summary['id']}",
                              headers=auth(raw))
        assert response.status_code == 200
        table = response.json
        printed = display_frame(stored.tables[summary["id"]])
        assert len(table["rows"]) == len(printed.index)
        for api_row, (_, printed_row) in zip(table["rows"], printed.iterrows(), strict=True):
            for cell, printed_value in zip(api_row["cells"], printed_row, strict=True):
                checked += 1
                if cell["hidden"]:
                    hidden += 1
                    assert cell["value"] is None and cell["flag"] in release["flags"]
                    assert printed_value == cell["flag"]
                elif cell["value"] is None:
                    assert printed_value == "-"
                else:
                    assert float(printed_value) == cell["value"]
    assert checked > 20 and hidden > 0
    missing = client.get(f"/api/v1/releases/{row.id}/tables/no_such_table", headers=auth(raw))
    assert missing.status_code == 404
    for account in (world.editor, world.admin):
        token = world.token(account, "records:read")
        assert client.get("/api/v1/releases", headers=auth(token)).status_code == 403


def test_releases_are_for_analysts_and_administrators_only(client, world, login):
    assert client.get("/api/v1/releases",
                      headers=auth(world.token(world.editor))).status_code == 403
    assert client.get("/api/v1/releases/1",
                      headers=auth(world.token(world.analyst))).status_code == 404
    login("a@example.org")
    assert client.get("/api/v1/releases").status_code == 403


def test_a_private_release_through_the_api_states_its_losses_and_margins(
        client, runner, world):
    runner.invoke(args=["demo-data", "--registrants", "150"])
    result = runner.invoke(args=["stats", "release", "--method", "differential_privacy"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(sa.select(StatRelease))
    raw = world.token(world.analyst)
    release = client.get(f"/api/v1/releases/{row.id}", headers=auth(raw)).json
    assert release["method"] == "differential_privacy"
    assert release["privacy"]["rho"] == 0.5 and release["privacy"]["epsilon"] > 0
    margin = release["privacy"]["margin_95"]
    table = client.get(f"/api/v1/releases/{row.id}/tables/registrants_by_status_field",
                       headers=auth(raw)).json
    assert table["margin_95"] == margin
    cells = [c for r in table["rows"] for c in r["cells"]]
    assert cells and not any(c["hidden"] for c in cells)  # every count is published
    assert all(c["value"] is not None and c["value"] >= 0 for c in cells)
