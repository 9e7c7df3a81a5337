"""Read a survey definition file of any supported format, chosen by its content."""
from __future__ import annotations

from dataclasses import dataclass, field

from .definition import load_json
from .dump import to_json
from .messages import Problem
from .model import Survey
from .redcap import export_redcap, load_redcap
from .xlsform import export_xlsform, load_xlsform

FORMATS = ("json", "xlsform", "redcap")


@dataclass
class Loaded:
    """A definition read from a file, with what its format could not carry (skipped)."""

    survey: Survey
    format: str
    skipped: list[Problem] = field(default_factory=list)


def detect(data: bytes) -> str:
    """Name a file's format from its first bytes: a zip is XLSForm, '{' is JSON, else REDCap."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsform"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json"
    return "redcap"


def read_definition(data: bytes, *, slug: str | None = None, title_en: str | None = None,
                    title_ja: str | None = None) -> Loaded:
    """Load a definition; raise DefinitionError with every problem, loading nothing."""
    kind = detect(data)
    if kind == "json":
        return Loaded(load_json(data), kind)
    title = {"en": title_en or slug, "ja": title_ja or title_en or slug}
    if kind == "xlsform":
        loaded = load_xlsform(data, slug=slug, title=title if title_en else None)
        return Loaded(loaded.survey, kind, list(loaded.skipped))
    loaded = load_redcap(data, slug=slug or "survey", title=title)
    return Loaded(loaded.survey, kind, list(loaded.skipped))


def write_definition(survey: Survey, fmt: str) -> tuple[bytes, list[Problem]]:
    """Write a definition in a format; return its bytes and what the format cannot carry."""
    if fmt == "json":
        return to_json(survey).encode("utf-8"), []
    if fmt == "xlsform":
        return export_xlsform(survey), []
    text, problems = export_redcap(survey)
    return text.encode("utf-8"), problems
