"""``flask stats``: make a disclosure-controlled release of the table catalogue."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from jgrad.lifecycle.cli import as_of_moment
from jgrad.statistics import services

stats_cli = AppGroup("stats", help="De-identified statistics.")


@stats_cli.command("release")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date the figures describe (default: today).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the files into this folder.")
@click.option("--new-series", is_flag=True,
              help="Do not continue the previous release (see the README on series).")
@click.option("--method", type=click.Choice(services.METHODS), default=None,
              help="Suppression or differential privacy (default: STATS_METHOD).")
@click.option("--dry-run", is_flag=True, help="Compute and summarise; store and write nothing.")
def release_command(as_of: dt.datetime | None, out: Path | None, new_series: bool,
                    method: str | None, dry_run: bool) -> None:
    """Write every catalogue table and breakdown as CSV and XLSX, charts, and the metadata.

    Once the release is stored, the catalogue's tables' charts are drawn; a breakdown's
    chart is drawn on the site the first time it is opened.
    """
    moment = as_of_moment(as_of)
    started = time.perf_counter()
    click.echo(f"Building the release as of {moment:%Y-%m-%d} ...")
    try:
        release, previous = services.build(moment, new_series=new_series, method=method)
    except services.PrivacyBudgetSpent as error:
        raise click.ClickException(str(error)) from None
    privacy = release.privacy
    click.echo(f"  computed in {time.perf_counter() - started:.1f} s"
               + (f"; differential privacy: rho {privacy['rho']:g} (epsilon "
                  f"{privacy['epsilon']:g} at delta {privacy['delta']:g}), this fiscal year "
                  f"rho {privacy['rho_this_year']:g}; every count within "
                  f"±{privacy['margin_95']} of the truth 95 times in 100" if privacy else
                  f"; continues release #{previous.id}" if previous else "; a new series"))
    if not dry_run:
        def progress(number, total, table_id):
            click.echo(f"  [{number}/{total}] {table_id}")

        try:
            row = services.store(release, previous, out=out, progress=progress)
        except services.PrivacyBudgetSpent as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Stored as release #{row.id}" + (f" and written to {out}" if out else "")
                   + f" in {time.perf_counter() - started:.1f} s.")
        drawing = time.perf_counter()
        drawn = services.draw_ahead(row)
        click.echo(f"  {drawn} charts drawn in {time.perf_counter() - drawing:.1f} s.")
    hidden = ", ".join(f"{rule or 'published'}: {n}" for rule, n in release.hidden_by_rule.items())
    breakdowns = sum(t.spec.breakdown_of is not None for t in release.tables.values())
    from_surveys = sum(t.spec.source is not None for t in release.tables.values())
    if release.surveys:
        click.echo(f"  {from_surveys} tables from {len(release.surveys)} closed survey(s): "
                   + ", ".join(f"{s['slug']} v{s['version']}" for s in release.surveys))
    if privacy:
        click.echo(f"{len(release.tables) - breakdowns} tables and {breakdowns} breakdowns, "
                   f"every count published; percentages left out for small noisy "
                   f"denominators: {release.hidden_by_rule.get('x', 0)}; "
                   f"{time.perf_counter() - started:.1f} s in all.")
        return
    click.echo(f"{len(release.tables) - breakdowns} tables and {breakdowns} breakdowns, "
               f"{len(release.withheld)} withheld (sparse, or by the interval audit); cells hidden by rule "
               f"({hidden}); {time.perf_counter() - started:.1f} s in all.")
