"""State changes the administrators make are model methods that check the transition and
write their audit event (security baseline: every administrative change is audited)."""
import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from jgrad.imports import duplicates
from jgrad.imports.models import PossibleDuplicate
from jgrad.universities.services import UniversityExists, add_university


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(make_account):
    return make_account(role=Role.ADMIN, email="admin@example.org")


@pytest.fixture
def flag(make_university, make_registrant):
    def make(kind: str = "lookalike") -> PossibleDuplicate:
        university = make_university()
        candidate = make_registrant(university=university)
        flag = PossibleDuplicate(university_id=university.id, student_number="D1",
                                 candidate_registrant_id=candidate.id, row={}, kind=kind)
        db.session.add(flag)
        db.session.commit()
        return flag

    return make


def test_security_baseline_cooperation_changes_only_with_its_audit_event(
        admin, make_university):
    university = make_university(cooperating=True)
    assert university.set_cooperation(True, by=admin) is False  # no change, no event
    assert university.set_cooperation(False, by=admin) is True
    db.session.commit()
    assert db.session.get(type(university), university.id).cooperating is False
    [event] = events("university.cooperation")
    assert event.actor_account_id == admin.id and event.object_id == str(university.id)
    assert event.details == {"cooperating": False}


def test_security_baseline_an_inquiry_closes_once_with_its_audit_event(admin):
    inquiry = Inquiry(name="Hana", email="hana@example.org", details="Where is my record?")
    db.session.add(inquiry)
    db.session.commit()
    assert inquiry.close(by=admin) is True
    closed_at = inquiry.closed_at
    assert inquiry.close(by=admin) is False
    db.session.commit()
    assert inquiry.closed_at == closed_at
    [event] = events("inquiry.closed")
    assert event.actor_account_id == admin.id and event.object_id == str(inquiry.id)


def test_security_baseline_a_possible_duplicate_is_resolved_once(admin, flag):
    claim = flag(kind="claim")
    with pytest.raises(ValueError):
        claim.resolve("deleted", by=admin)  # not a resolution
    with pytest.raises(ValueError):
        duplicates.merge(claim, admin)  # a claim has both records already
    duplicates.keep_apart(claim, admin)
    db.session.commit()
    assert claim.state == "kept_apart" and claim.resolved_by_account_id == admin.id
    with pytest.raises(ValueError):
        claim.resolve("merged", by=admin)
    assert duplicates.open_flag(claim.id) is None
    [event] = events("duplicate.kept_apart")
    assert event.subject_registrant_id == claim.candidate_registrant_id


def test_a_university_code_is_added_once_from_the_page_or_the_command(admin, make_university):
    make_university(code="DUP")
    with pytest.raises(UniversityExists):
        add_university(code=" dup ", name_en="X", name_ja="X", by=admin)
    university = add_university(code="new-2", name_en=" New ", name_ja="新", kind="private",
                                by=admin)
    db.session.commit()
    assert (university.code, university.name_en, university.kind) == ("NEW-2", "New", "private")
    [event] = events("university.created")
    assert event.actor_account_id == admin.id
    assert event.details == {"code": "NEW-2", "cooperating": True}
