"""Create the new people of a university's file: a pending account, the registrant, their
enrolment, the history and consent rows of each, and an invitation to set a password.

Written column by column through the driver (``jgrad.bulk``): a value every row shares
(the university, the time, the actor) is given once, never copied into each row.
"""
from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts import tokens
from jgrad.accounts.models import Account, AccountToken, TokenPurpose
from jgrad.actors import Actor, Source
from jgrad.bulk import among, write_columns, write_columns_with_ids
from jgrad.extensions import db
from jgrad.identifiers import new_doctor_id
from jgrad.mail import services as mail
from jgrad.registrants.history import ConsentChange, RecordChange
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.registrants.services import plain

ENROLMENT = ("graduate_school", "major", "field", "programme_type", "entry_date", "status",
             "status_date", "degree_name")
PROFILE = ("family_name", "given_name", "family_name_kana", "given_name_kana",
           "family_name_roman", "given_name_roman", "birth_year", "sex", "nationality")
CONSENTS = ("share_with_university", "accept_contact")  # given to the university's people


def create_people(university, rows: list[dict], actor: Actor, now: dt.datetime) -> list[int]:
    """Create pending registrants with their enrolment, and queue their invitations."""
    if not rows:
        return []
    doctor_ids = fresh_doctor_ids(len(rows))
    emails = [row["email"] for row in rows]
    locales = ["ja" if row["nationality"] in (None, "JP") else "en" for row in rows]
    account_ids = write_columns_with_ids(
        db.session, Account.__table__, {"login": doctor_ids, "email": emails, "locale": locales},
        dict(email_status="unverified", role="registrant", state="pending", session_version=1,
             created_at=now, state_changed_at=now))
    source = dict(supplied_by=str(Source.UNIVERSITY), supplied_by_university_id=university.id,
                  created_at=now, changed_by=str(Source.UNIVERSITY),
                  changed_by_university_id=university.id, changed_by_account_id=actor.account_id,
                  changed_at=now)
    profile = {c: [row[c] for row in rows] for c in PROFILE}
    registrant_ids = write_columns_with_ids(
        db.session, Registrant.__table__,
        {**profile, "account_id": account_ids, "doctor_id": doctor_ids},
        dict({c: True for c in CONSENTS}, **source))
    enrolment = {c: [row[c] for row in rows] for c in ENROLMENT}
    enrolment_ids = write_columns_with_ids(
        db.session, Enrolment.__table__,
        {**enrolment, "registrant_id": registrant_ids,
         "student_number": [row["student_number"] for row in rows]},
        dict(university_id=university.id, **source))
    _write_history(registrant_ids, enrolment_ids, profile, enrolment, actor, now)
    _invite(university, [(account_id, doctor_id, email, locale) for account_id, doctor_id,
                         email, locale in zip(account_ids, doctor_ids, emails, locales)
                         if email], now)
    return registrant_ids


def _write_history(registrant_ids: list[int], enrolment_ids: list[int], profile: dict,
                   enrolment: dict, actor: Actor, now: dt.datetime) -> None:
    """Write each person's two "create" record changes (the registrant, then the enrolment:
    every item given, from nothing) and their two consents."""
    # Profile items are text or a year, already as the history writes them; an item's
    # (old, new) pair is a tuple, written as a JSON array like a list but lighter to keep.
    created_profiles = [{c: (None, v) for c, v in zip(PROFILE, values) if v is not None}
                        for values in zip(*profile.values())]
    created_enrolments = [{c: (None, _plain(v)) for c, v in zip(ENROLMENT, values)
                           if v is not None} for values in zip(*enrolment.values())]
    actor_source = str(actor.source)
    write_columns(db.session, RecordChange.__table__, {
        "registrant_id": [r for r in registrant_ids for _ in (1, 2)],
        "record_type": ["registrant", "enrolment"] * len(registrant_ids),
        "record_id": list(itertools.chain.from_iterable(zip(registrant_ids, enrolment_ids))),
        "changes": list(itertools.chain.from_iterable(zip(created_profiles,
                                                          created_enrolments))),
    }, dict(action="create", actor_source=actor_source, actor_university_id=actor.university_id,
            actor_account_id=actor.account_id, at=now))
    write_columns(db.session, ConsentChange.__table__, {
        "registrant_id": [r for r in registrant_ids for _ in CONSENTS],
        "setting": list(CONSENTS) * len(registrant_ids),
    }, dict(old_value=None, new_value=True, actor_source=actor_source,
            actor_account_id=actor.account_id, at=now))


def _plain(value):
    """``plain``, with the common case (text) first."""
    return value if type(value) is str else plain(value)


def fresh_doctor_ids(count: int) -> list[str]:
    """Return ``count`` new Doctor IDs, none of them in use."""
    chosen: set[str] = set()
    while len(chosen) < count:
        wanted = count - len(chosen)
        candidates = {new_doctor_id() for _ in range(wanted)} - chosen
        for among_candidates in among(db.session, Account.login, sorted(candidates)):
            candidates -= set(db.session.scalars(
                sa.select(Account.login).where(among_candidates)))
        chosen |= candidates
    return sorted(chosen)[:count]


def _invite(university, people: list[tuple[int, str, str, str]], now: dt.datetime) -> None:
    """Create set-password links and queue the invitations, rendered once per language:
    ``people`` are (account id, Doctor ID, e-mail address, language)."""
    if not people:
        return
    hours = current_app.config["SIGNUP_TOKEN_HOURS"]
    secrets = [tokens.new_secret() for _ in people]
    write_columns(db.session, AccountToken.__table__, {
        "token_hash": [digest for _, digest in secrets],
        "email": [email for _, _, email, _ in people],
        "account_id": [account_id for account_id, _, _, _ in people],
    }, dict(purpose=str(TokenPurpose.SIGNUP), created_at=now,
            expires_at=now + dt.timedelta(hours=hours)))
    # The university's name in the language of the mail: the same within a language.
    names = {locale: (("university", university.name(locale)),) for locale in ("ja", "en")}
    mail.queue_many(
        [mail.Recipient(key=f"invite:{doctor_id}", to=email, account_id=account_id,
                        locale=locale, link_secret=raw, fill={"doctor_id": doctor_id},
                        variant=names[locale])
         for (account_id, doctor_id, email, locale), (raw, _) in zip(people, secrets,
                                                                     strict=True)],
        kind="invite", template="invite_registrant", now=now,
        link=mail.external_url("accounts.signup_complete", token=mail.SECRET_SLOT),
        hours=hours)
