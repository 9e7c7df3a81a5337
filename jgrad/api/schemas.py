"""The API's request and response bodies, as pydantic models (the OpenAPI document's schemas)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jgrad.registrants import codes

FieldCode = Literal[tuple(codes.FIELD)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(codes.ENROLMENT_STATUS)]  # type: ignore[valid-type]
SectorCode = Literal[tuple(codes.SECTOR)]  # type: ignore[valid-type]
ProgrammeCode = Literal[tuple(codes.PROGRAMME_TYPE)]  # type: ignore[valid-type]
SexCode = Literal[tuple(codes.SEX)]  # type: ignore[valid-type]
MAX_STUDENTS = 5000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemItem(BaseModel):
    field: str | None = Field(None, description="The field at fault (dotted for nested ones).")
    item: int | None = Field(None, description="The list item at fault, counted from 0.")
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemItem] | None = None


# ---- records -------------------------------------------------------------------------------

class AlumniQuery(Strict):
    status: StatusCode | None = None
    field: FieldCode | None = None
    sector: SectorCode | None = None
    entry_year: int | None = Field(None, ge=1901, le=2199)
    completion_year: int | None = Field(None, ge=1901, le=2199)
    name: str | None = Field(None, max_length=100)
    limit: int = Field(100, ge=1, le=500)
    cursor: str | None = Field(None, max_length=200,
                               description="next_cursor of the previous page, as given.")


class Alumnus(BaseModel):
    doctor_id: str
    family_name: str
    given_name: str
    family_name_roman: str | None
    given_name_roman: str | None
    accept_contact: bool
    enrolment_id: int
    university: str
    graduate_school: str
    field: str
    status: str
    entry_date: dt.date
    status_date: dt.date | None


class AlumniPage(BaseModel):
    items: list[Alumnus]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at "
                                                "the end.")


class Provenance(BaseModel):
    supplied_by: str
    supplied_by_university: str | None
    created_at: dt.datetime
    changed_by: str
    changed_by_university: str | None
    changed_at: dt.datetime
    version: int


class Profile(BaseModel):
    family_name: str
    given_name: str
    family_name_kana: str | None
    given_name_kana: str | None
    family_name_roman: str | None
    given_name_roman: str | None
    birth_year: int | None
    sex: str | None
    nationality: str | None
    contact_email: str | None
    orcid: str | None
    researchmap_id: str | None
    share_with_university: bool
    accept_contact: bool
    provenance: Provenance


class EnrolmentOut(BaseModel):
    id: int
    university: str
    graduate_school: str
    major: str | None
    field: str
    student_number: str | None
    programme_type: str
    entry_date: dt.date
    status: str
    status_date: dt.date | None
    degree_name: str | None
    provenance: Provenance


class CareerOut(BaseModel):
    id: int
    start_month: dt.date
    end_month: dt.date | None
    labour_status: str
    employer: str | None
    sector: str | None
    country: str | None
    prefecture: str | None
    job_title: str | None
    academic_rank: str | None
    postdoc: bool
    employment_term: str | None
    provenance: Provenance


class RegistrantRecord(BaseModel):
    doctor_id: str
    profile: Profile
    enrolments: list[EnrolmentOut]
    career_spells: list[CareerOut]


class ProfilePatch(Strict):
    """Profile fields to change; fields left out keep their value. ``version``: the version
    you read (a newer save by someone else is then refused with 409)."""

    family_name: str | None = Field(None, max_length=100)
    given_name: str | None = Field(None, max_length=100)
    family_name_kana: str | None = Field(None, max_length=100)
    given_name_kana: str | None = Field(None, max_length=100)
    family_name_roman: str | None = Field(None, max_length=100)
    given_name_roman: str | None = Field(None, max_length=100)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: SexCode | None = None
    nationality: str | None = Field(None, min_length=2, max_length=2)
    contact_email: str | None = Field(None, max_length=254)
    orcid: str | None = Field(None, max_length=40)
    researchmap_id: str | None = Field(None, max_length=64)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class Changed(BaseModel):
    changed: list[str] = Field(description="The fields that changed (empty: nothing did).")
    version: int


# ---- upsert --------------------------------------------------------------------------------

class StudentIn(Strict):
    """One doctoral student, as a row of the import file (docs/import-format.md)."""

    student_number: str = Field(min_length=1, max_length=32)
    family_name: str = Field(min_length=1, max_length=100)
    given_name: str = Field(min_length=1, max_length=100)
    family_name_kana: str | None = Field(None, max_length=100)
    given_name_kana: str | None = Field(None, max_length=100)
    family_name_roman: str | None = Field(None, max_length=100)
    given_name_roman: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: SexCode | None = None
    nationality: str | None = Field(None, max_length=2)
    graduate_school: str = Field(min_length=1, max_length=200)
    major: str | None = Field(None, max_length=200)
    field: FieldCode
    programme_type: ProgrammeCode
    entry_date: dt.date
    status: StatusCode
    status_date: dt.date | None = None
    degree: str | None = Field(None, max_length=200)


class StudentsIn(Strict):
    students: list[StudentIn] = Field(min_length=1, max_length=MAX_STUDENTS)


class UpsertQuery(Strict):
    dry_run: bool = Field(False, description="Check and count only; write nothing.")


class UpsertResult(BaseModel):
    new: int = Field(description="Students added (or held for the institute to match).")
    updated: int
    unchanged: int
    unavailable: int = Field(description="Students this university may no longer see "
                                         "(opted out, suspended): left as they are.")
    unavailable_items: list[int]
    dry_run: bool


# ---- statistics ----------------------------------------------------------------------------

class TableSummary(BaseModel):
    id: str
    title: str
    breakdown_of: str | None
    withheld: str | None = Field(description="Why the whole table is withheld (null: shown).")


class ReleaseSummary(BaseModel):
    id: int
    as_of: dt.date
    created_at: dt.datetime
    catalogue_version: str


class ReleaseList(BaseModel):
    items: list[ReleaseSummary]


class Release(ReleaseSummary):
    flags: dict[str, str] = Field(description="What each flag on a hidden cell means.")
    notes: list[str]
    tables: list[TableSummary]
    method: str = Field("suppression", description="How the release was protected: "
                        "`suppression` (hidden cells, rounding) or `differential_privacy`.")
    privacy: dict[str, float] | None = Field(
        None, description="Differential privacy: the losses (rho, epsilon at delta; this "
                          "release and the fiscal year so far) and the noise. Null otherwise.")


class Cell(BaseModel):
    column: str
    value: float | None = Field(description="The published figure; null when hidden.")
    hidden: bool
    flag: str | None = Field(description="Why the cell is hidden (see the release's flags).")


class TableRow(BaseModel):
    key: dict[str, str] = Field(description="The row's dimension values (codes).")
    cells: list[Cell]


class Table(BaseModel):
    id: str
    release_id: int
    title: str
    measure: str
    breakdown_of: str | None
    row_dimensions: list[str]
    column_dimension: str | None
    withheld: str | None = Field(description="Why the table is withheld (then no rows).")
    margin_95: int | None = Field(None, description="Differential privacy: every count is "
                                  "within this of the truth, 95 times in 100. Null otherwise.")
    rows: list[TableRow]


# ---- surveys -------------------------------------------------------------------------------

class SurveySummary(BaseModel):
    slug: str
    title: str
    state: str


class SurveyList(BaseModel):
    items: list[SurveySummary]


class SurveyDefinition(BaseModel):
    slug: str
    definition: dict[str, Any]


class ResponsesExport(BaseModel):
    slug: str
    columns: list[str]
    rows: list[dict[str, Any]]
    codebook: list[dict[str, Any]]
