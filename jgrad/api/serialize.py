"""A registrant's record as the API gives it: every item with its provenance."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from jgrad.universities.models import University

PROFILE = ("family_name", "given_name", "family_name_kana", "given_name_kana",
           "family_name_roman", "given_name_roman", "birth_year", "sex", "nationality",
           "contact_email", "orcid", "researchmap_id", "share_with_university",
           "accept_contact")
ENROLMENT = ("id", "graduate_school", "major", "field", "student_number", "programme_type",
             "entry_date", "status", "status_date", "degree_name")
CAREER = ("id", "start_month", "end_month", "labour_status", "employer", "sector", "country",
          "prefecture", "job_title", "academic_rank", "postdoc", "employment_term")


def university_codes(ids) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(db.session.execute(
        sa.select(University.id, University.code).where(University.id.in_(wanted))).all())


def _provenance(item, codes: dict[int, str]) -> dict:
    return {"supplied_by": str(item.supplied_by),
            "supplied_by_university": codes.get(item.supplied_by_university_id),
            "created_at": item.created_at, "changed_by": str(item.changed_by),
            "changed_by_university": codes.get(item.changed_by_university_id),
            "changed_at": item.changed_at, "version": item.version}


def record(registrant: Registrant) -> dict:
    """Return the registrant's profile, enrolments and career spells, with provenance."""
    items = [registrant, *registrant.enrolments, *registrant.career_spells]
    codes = university_codes(
        [i.supplied_by_university_id for i in items] + [i.changed_by_university_id for i in items]
        + [e.university_id for e in registrant.enrolments])
    return {
        "doctor_id": registrant.doctor_id,
        "profile": {**{name: getattr(registrant, name) for name in PROFILE},
                    "provenance": _provenance(registrant, codes)},
        "enrolments": [{**{name: getattr(e, name) for name in ENROLMENT},
                        "university": codes[e.university_id],
                        "provenance": _provenance(e, codes)} for e in registrant.enrolments],
        "career_spells": [{**{name: getattr(c, name) for name in CAREER},
                           "provenance": _provenance(c, codes)}
                          for c in registrant.career_spells],
    }
