"""``flask surveys``: load, list, open, close, target, invite and export definitions."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.universities.models import University

from . import export, services
from .export import FORMATS as EXPORT_FORMATS
from .invitations import count_targeted, invite
from .loading import FORMATS, read_definition, write_definition
from .messages import DefinitionError
from .models import InvalidTransition, Invitation
from .reminders import count_due, remind
from .services import export_responses
from .targeting import Rule

surveys_cli = AppGroup("surveys", help="Surveys: definitions, states, invitations, exports.")


def _survey(slug: str):
    try:
        return services.find(slug)
    except services.SurveyNotFound:
        raise click.ClickException(f"No survey has the slug {slug!r}.") from None


@surveys_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="The survey's slug (REDCap files, and XLSForms without one).")
@click.option("--title-en", help="English title (REDCap files have none).")
@click.option("--title-ja", help="Japanese title.")
@click.option("--dry-run", is_flag=True, help="Only check the file; load nothing.")
def load_command(path: Path, slug, title_en, title_ja, dry_run: bool) -> None:
    """Load a definition (JSON, XLSForm .xlsx or REDCap .csv, chosen by content)."""
    try:
        loaded = read_definition(path.read_bytes(), slug=slug, title_en=title_en,
                                 title_ja=title_ja)
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(f"  {problem.where}: {problem.text('en')}", err=True)
        raise click.ClickException(
            f"{path.name}: {len(error.problems)} problem(s); nothing was loaded.") from None
    for problem in loaded.skipped:
        click.echo(f"  skipped {problem.where}: {problem.text('en')}")
    definition = loaded.survey
    questions = sum(1 for _ in definition.questions())
    summary = (f"{definition.slug}: {len(definition.pages)} page(s), {questions} question(s) "
               f"read as {loaded.format}, {len(loaded.skipped)} skipped")
    if dry_run:
        click.echo(f"Dry run, nothing loaded: {summary}.")
        return
    try:
        survey, version = services.load_file(definition, fmt=loaded.format,
                                             file_name=path.name, skipped=loaded.skipped)
    except InvalidTransition:
        db.session.rollback()
        raise click.ClickException(f"{definition.slug} is closed; nothing was loaded.") from None
    db.session.commit()
    state = f"version {version.number} added" if version else "unchanged"
    click.echo(f"Loaded {summary}: {state} ({survey.state}).")


@surveys_cli.command("list")
def list_command() -> None:
    """List the surveys with their state, version and invitations."""
    counts = dict(db.session.execute(
        sa.select(Invitation.survey_id, sa.func.count()).group_by(Invitation.survey_id)).all())
    surveys = services.all_surveys()
    for survey in surveys:
        click.echo(f"{survey.slug}\t{survey.state}\tv{survey.current_version.number}\t"
                   f"{counts.get(survey.id, 0)} invited\t{survey.title_en}")
    click.echo(f"{len(surveys)} survey(s).")


def _move(slug: str, verb: str) -> None:
    survey = _survey(slug)
    try:
        getattr(survey, verb)()
    except InvalidTransition:
        db.session.rollback()
        raise click.ClickException(f"{slug} is {survey.state}: it cannot be {verb}ed.") from None
    db.session.commit()
    click.echo(f"{slug} is now {survey.state}.")


@surveys_cli.command("open")
@click.argument("slug")
def open_command(slug: str) -> None:
    """Open a draft survey: its questions are frozen from now on."""
    _move(slug, "open")


@surveys_cli.command("close")
@click.argument("slug")
def close_command(slug: str) -> None:
    """Close an open survey; what was answered is kept."""
    _move(slug, "close")


@surveys_cli.command("target")
@click.argument("slug")
@click.option("--wave-months", type=click.IntRange(0, 600),
              help="Invite each person this many months after their doctoral completion.")
@click.option("--window-days", type=click.IntRange(0, 365), default=30, show_default=True)
@click.option("--fiscal-year", "fiscal_years", type=int, multiple=True,
              help="Completion fiscal year (April to March); repeatable.")
@click.option("--status", "statuses", multiple=True, help="Enrolment status; repeatable.")
@click.option("--field", "fields", multiple=True, help="Field code; repeatable.")
@click.option("--university", "universities", multiple=True,
              help="Enrolled at this university (code); repeatable.")
@click.option("--owner", help="The university (code) running the survey; none: the institute.")
@click.option("--max-reminders", type=click.IntRange(0, 10))
@click.option("--reminder-days", type=click.IntRange(1, 365))
def target_command(slug, wave_months, window_days, fiscal_years, statuses, fields,
                   universities, owner, max_reminders, reminder_days) -> None:
    """Set a draft survey's population and reminders."""
    survey = _survey(slug)
    codes = list(universities) + ([owner] if owner else [])
    ids = dict(db.session.execute(
        sa.select(University.code, University.id).where(University.code.in_(codes))).all())
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise click.ClickException(f"Unknown university code(s): {', '.join(unknown)}.")
    rule = Rule(wave_months=wave_months, window_days=window_days,
                fiscal_years=tuple(fiscal_years), statuses=tuple(statuses),
                fields=tuple(fields), university_ids=tuple(ids[c] for c in universities))
    try:
        services.set_targeting(survey, rule, owner_university_id=ids.get(owner),
                               max_reminders=max_reminders, reminder_gap_days=reminder_days)
    except ValueError as error:
        raise click.ClickException(f"{slug}: {error}.") from None
    db.session.commit()
    click.echo(f"{slug} targets {rule.to_dict()}.")


@surveys_cli.command("invite")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Only count who would be invited.")
def invite_command(slug: str, dry_run: bool) -> None:
    """Invite everyone an open survey targets today and has not invited yet."""
    survey, count = _mail_run(slug, dry_run, count_targeted, invite, "invite")
    if count is not None:
        click.echo(f"Invited {count} registrant(s) to {slug}.")


@surveys_cli.command("remind")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Only count who would be reminded.")
def remind_command(slug: str, dry_run: bool) -> None:
    """Remind those invited to an open survey who have not submitted, as its settings allow."""
    survey, count = _mail_run(slug, dry_run, count_due, remind, "remind")
    if count is not None:
        click.echo(f"Reminded {count} registrant(s) of {slug} (at most "
                   f"{survey.max_reminders}, {survey.reminder_gap_days} days apart).")


def _mail_run(slug: str, dry_run: bool, count, send, verb: str):
    """Count (dry run) or send a survey's invitations or reminders; return (survey, sent)."""
    survey = _survey(slug)
    now = utcnow()
    if dry_run:
        click.echo(f"Dry run: would {verb} {count(survey, now)} registrant(s).")
        return survey, None
    try:
        return survey, send(survey, now, progress=lambda step, n: click.echo(f"  {step}: {n}"))
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@surveys_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder to write into.")
def export_command(slug: str, fmt: str, out: Path) -> None:
    """Export a survey's raw responses (CSV with codebook, SPSS .sav or Stata .dta); audited."""
    survey = _survey(slug)
    data = export_responses(survey, fmt, account=None)
    paths = export.write(data, slug, fmt, out)
    db.session.commit()
    for path in paths:
        click.echo(f"  wrote {path}")
    click.echo(f"Exported {len(data.rows)} response(s) of {slug} as {fmt}.")


@surveys_cli.command("export-definition")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_definition_command(slug: str, fmt: str, out: Path) -> None:
    """Write a survey's current definition as JSON, XLSForm or a REDCap data dictionary."""
    definition = _survey(slug).current_version.definition()
    data, problems = write_definition(definition, fmt)
    for problem in problems:
        click.echo(f"  not carried {problem.where}: {problem.text('en')}")
    out.write_bytes(data)
    click.echo(f"Wrote {slug} as {fmt} to {out} ({len(data)} bytes).")
