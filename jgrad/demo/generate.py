"""Synthetic but plausible registrants, enrolments and careers, inserted in bulk."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import sqlalchemy as sa

from jgrad.accounts import totp
from jgrad.accounts.models import Account, AccountState, EmailStatus, Role
from jgrad.accounts.passwords import hash_password
from jgrad.actors import Source
from jgrad.bulk import insert_with_ids
from jgrad.db import utcnow
from jgrad.demo import people
from jgrad.extensions import db
from jgrad.registrants.history import ConsentChange
from jgrad.identifiers import new_doctor_id
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.universities.models import University

DEMO_LOGINS = {
    Role.ADMIN: ("admin@demo.jgrad.example", "demo admin passphrase"),
    Role.STAFF: ("staff@demo.jgrad.example", "demo staff passphrase"),
    Role.ANALYST: ("analyst@demo.jgrad.example", "demo analyst passphrase"),
}
REGISTRANT_PASSWORD = "demo registrant passphrase"
BATCH = 2000


@dataclass
class DemoSummary:
    universities: int = 0
    accounts: int = 0
    registrants: int = 0
    enrolments: int = 0
    career_spells: int = 0
    first_doctor_id: str | None = None


def _month(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def ensure_universities() -> dict[str, int]:
    """Create the demo universities that are missing; return code -> id."""
    existing = dict(db.session.execute(sa.select(University.code, University.id)).all())
    for code, name_en, name_ja, cooperating, kind in people.UNIVERSITIES:
        if code not in existing:
            university = University(code=code, name_en=name_en, name_ja=name_ja,
                                    cooperating=cooperating, kind=kind)
            db.session.add(university)
            db.session.flush()
            existing[code] = university.id
    return existing


def ensure_role_accounts(universities: dict[str, int]) -> int:
    """Create one demo account per non-registrant role; return how many were new."""
    created = 0
    for role, (email, password) in DEMO_LOGINS.items():
        if db.session.scalar(sa.select(Account.id).where(Account.email == email)):
            continue
        db.session.add(Account(
            role=role, email=email, login=email, email_status=EmailStatus.VALID,
            password_hash=hash_password(password), state=AccountState.ACTIVE,
            university_id=universities["HKU"] if role == Role.STAFF else None,
            staff_role="editor" if role == Role.STAFF else None,
            # Administrators must use two-factor sign-in: the demo one comes enrolled, with
            # its key printed beside its password (jgrad.demo.cli).
            totp_key=totp.new_key() if role == Role.ADMIN else None,
            totp_enabled_at=utcnow() if role == Role.ADMIN else None,
        ))
        created += 1
    db.session.flush()
    return created


class _Person:
    """Draws one synthetic doctoral career."""

    def __init__(self, rng: random.Random, today: dt.date, university_ids: list[int]):
        self.rng = rng
        self.today = today
        self.university_ids = university_ids

    def profile(self) -> dict:
        rng = self.rng
        if rng.random() < 0.8:
            family = rng.choice(people.FAMILY_NAMES)
            given = rng.choice(people.GIVEN_NAMES)
            return dict(
                family_name=family[0], given_name=given[0], family_name_kana=family[1],
                given_name_kana=given[1], family_name_roman=family[2],
                given_name_roman=given[2], sex=given[3], nationality="JP",
            )
        country = rng.choice(list(people.FOREIGN))
        family = rng.choice(people.FOREIGN[country])
        given = rng.choice(people.FOREIGN_GIVEN)
        return dict(
            family_name=family[0], given_name=given[0], family_name_kana=None,
            given_name_kana=None, family_name_roman=family[1], given_name_roman=given[0],
            sex=given[1] if rng.random() > 0.03 else "undisclosed", nationality=country,
        )

    def enrolment(self, entry_year: int) -> dict:
        rng = self.rng
        field = rng.choices(list(people.FIELD_WEIGHTS), list(people.FIELD_WEIGHTS.values()))[0]
        school, majors = people.GRADUATE_SCHOOLS[field]
        programme = "four_year" if field == "09" and rng.random() < 0.6 else rng.choice(
            ["latter", "latter", "latter", "integrated"])
        years = 4 if programme == "four_year" else (5 if programme == "integrated" else 3)
        entry = dt.date(entry_year, 4 if rng.random() < 0.85 else 10, 1)
        finish = dt.date(entry_year + years, 3, 31)
        if finish > self.today:
            status, status_date = ("on_leave", entry + dt.timedelta(days=400)) if (
                rng.random() < 0.04) else ("enrolled", None)
        else:
            status = rng.choices(
                ["degree_awarded", "completed_without_degree", "withdrawn"], [78, 12, 10])[0]
            status_date = finish if status != "withdrawn" else entry + dt.timedelta(
                days=rng.randint(200, 900))
        return dict(
            university_id=rng.choice(self.university_ids), graduate_school=school,
            major=rng.choice(majors), field=field, programme_type=programme,
            entry_date=entry, status=status,
            status_date=status_date if status_date and status_date <= self.today else None,
            degree_name=people.DEGREES.get(field, "Doctor of Philosophy")
            if status == "degree_awarded" else None,
        )

    def careers(self, after: dt.date) -> list[dict]:
        rng = self.rng
        spells = []
        start = _add_months(after, 1)
        limit = _month(self.today.year, self.today.month)
        while start <= limit and len(spells) < 5:
            kind = rng.choices(["postdoc", "faculty", "company", "institute", "seeking"],
                               [30, 25, 25, 12, 8] if not spells else [15, 35, 30, 15, 5])[0]
            length = rng.randint(18, 48) if kind in ("postdoc", "seeking") else rng.randint(24, 120)
            end = _add_months(start, length)
            spell = dict(start_month=start, end_month=end if end <= limit else None,
                         country="JP", prefecture=f"{rng.randint(1, 47):02d}",
                         labour_status="employed", working_hours="full_time",
                         relatedness=rng.choice(["closely", "closely", "somewhat", "unrelated"]),
                         income_band=rng.choice(["4to6m", "6to8m", "8to10m", "2to4m", "10to15m"]))
            if rng.random() < 0.08:
                spell.update(country=rng.choice(["US", "DE", "GB", "CN", "SG"]), prefecture=None)
            if kind == "postdoc":
                spell.update(employer=rng.choice(people.INSTITUTES + ["University research lab"]),
                             sector=rng.choice(["university", "public_research"]),
                             job_title="Postdoctoral researcher", academic_rank="postdoc",
                             postdoc=True, employment_term="fixed_term",
                             contract_months=rng.choice([12, 24, 36]))
            elif kind == "faculty":
                permanent = rng.random() < 0.5
                spell.update(employer="University", sector="university",
                             job_title="Faculty member",
                             academic_rank=rng.choice(["assistant_professor", "lecturer",
                                                       "associate_professor"]),
                             employment_term="permanent" if permanent else "fixed_term",
                             contract_months=None if permanent else 60)
            elif kind == "company":
                spell.update(employer=rng.choice(people.COMPANIES), sector="company",
                             job_title="Researcher", academic_rank=None,
                             employment_term="permanent")
            elif kind == "institute":
                spell.update(employer=rng.choice(people.INSTITUTES), sector="public_research",
                             job_title="Research scientist", academic_rank="researcher",
                             employment_term=rng.choice(["permanent", "fixed_term"]))
            else:
                spell.update(labour_status="seeking", working_hours=None, relatedness=None,
                             income_band=None, prefecture=None, country=None)
            spells.append(spell)
            if spell["end_month"] is None:
                break
            start = _add_months(end, 1)
        return spells


def _last_login(rng: random.Random, created: dt.datetime, now: dt.datetime):
    """Most registrants came back within three years; about one in twenty did not."""
    draw = rng.random()
    if draw < 0.02:
        return None  # never logged in after registering
    if draw < 0.07:
        away = dt.timedelta(days=rng.randint(3 * 365 + 10, 8 * 365))
    else:
        away = dt.timedelta(days=rng.randint(0, 3 * 365 - 30))
    return max(now - away, created)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    return insert_with_ids(db.session, model.__table__, rows)


def create_registrants(count: int, *, seed: int = 2026, today: dt.date | None = None,
                       progress=None) -> DemoSummary:
    """Insert ``count`` synthetic registrants in batches, with enrolments and careers."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    now = utcnow()
    summary = DemoSummary()
    university_ids = list(db.session.scalars(sa.select(University.id).order_by(University.id)))
    drawer = _Person(rng, today, university_ids)
    password_hash = hash_password(REGISTRANT_PASSWORD)
    taken = set(db.session.scalars(sa.select(Account.login)))
    offset = db.session.scalar(sa.select(sa.func.count(Account.id)))
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        people_rows, accounts = [], []
        for i in range(size):
            doctor_id = new_doctor_id()
            while doctor_id in taken:
                doctor_id = new_doctor_id()
            taken.add(doctor_id)
            entry_year = rng.randint(today.year - 25, today.year)
            created = dt.datetime(min(entry_year + rng.randint(0, 4), today.year),
                                  rng.randint(1, 12), rng.randint(1, 28), tzinfo=dt.timezone.utc)
            created = min(created, now)
            last_login = _last_login(rng, created, now)
            profile = drawer.profile()
            accounts.append(dict(
                login=doctor_id, email=f"registrant{offset + done + i}@demo.jgrad.example",
                email_status="valid", password_hash=password_hash, role="registrant",
                state="active", session_version=1, created_at=created, last_login_at=last_login,
                state_changed_at=created, locale="ja" if profile["nationality"] == "JP" else "en",
            ))
            people_rows.append((doctor_id, entry_year, created, profile))
        account_ids = _insert_returning_ids(Account, accounts)
        registrants, plans = [], []
        rows = zip(account_ids, people_rows, strict=True)
        for account_id, (doctor_id, entry_year, created, profile) in rows:
            profile.update(
                account_id=account_id, doctor_id=doctor_id,
                birth_year=entry_year - rng.randint(22, 34),
                share_with_university=rng.random() > 0.08,
                accept_contact=rng.random() > 0.05,
                supplied_by="registrant", changed_by="registrant", created_at=created,
                changed_at=created, changed_by_account_id=account_id,
            )
            registrants.append(profile)
            plans.append((entry_year, created, profile))
        registrant_ids = _insert_returning_ids(Registrant, registrants)
        enrolments, spells, consents = [], [], []
        for registrant_id, (entry_year, created, profile) in zip(
                registrant_ids, plans, strict=True):
            enrolment = drawer.enrolment(entry_year)
            from_university = rng.random() < 0.3
            enrolment.update(
                registrant_id=registrant_id,
                student_number=f"D{entry_year % 100:02d}{registrant_id:07d}",
                supplied_by="university" if from_university else "registrant",
                supplied_by_university_id=enrolment["university_id"] if from_university else None,
                changed_by="university" if from_university else "registrant",
                changed_by_university_id=enrolment["university_id"] if from_university else None,
                created_at=created, changed_at=created,
            )
            enrolments.append(enrolment)
            if enrolment["status"] != "enrolled" and enrolment["status_date"]:
                for spell in drawer.careers(enrolment["status_date"]):
                    spell.update(registrant_id=registrant_id, supplied_by="registrant",
                                 changed_by="registrant", created_at=created, changed_at=created)
                    spell.setdefault("postdoc", False)
                    spells.append(spell)
            for setting in ("share_with_university", "accept_contact"):
                consents.append(dict(registrant_id=registrant_id, setting=setting,
                                     old_value=None, new_value=profile[setting],
                                     actor_source=str(Source.REGISTRANT), at=created))
        db.session.execute(sa.insert(Enrolment.__table__), enrolments)
        if spells:
            db.session.execute(sa.insert(CareerSpell.__table__), _uniform(spells))
        db.session.execute(sa.insert(ConsentChange.__table__), consents)
        db.session.commit()
        summary.registrants += size
        summary.accounts += size
        summary.enrolments += len(enrolments)
        summary.career_spells += len(spells)
        summary.first_doctor_id = summary.first_doctor_id or people_rows[0][0]
        done += size
        if progress:
            progress(done, count)
    return summary


def _uniform(rows: list[dict]) -> list[dict]:
    """Give every row the same keys so one executemany covers them all."""
    keys = set().union(*rows)
    return [{key: row.get(key) for key in keys} for row in rows]
