"""Audit actions and outcomes in words, for the administrators' audit trail.

The codes stay what the trail stores and what the search matches; pages show these words
beside them. ``tests/test_audit_words.py`` fails on an action written anywhere in the code
that has no words here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "access.denied": _l("Was refused a page"),
    "account.created": _l("Created an account"),
    "account.active": _l("Made an account active"),
    "account.pending": _l("Made an account wait for its password"),
    "account.suspended": _l("Suspended an account"),
    "account.deleted": _l("Deleted an account"),
    "account.email_change_requested": _l("Asked to change the sign-in address"),
    "account.email_changed": _l("Changed the sign-in address"),
    "api.call": _l("Called the API"),
    "api.token.created": _l("Made an API token"),
    "api.token.refused": _l("Called the API with an unknown, expired or revoked token"),
    "api.token.revoked": _l("Revoked an API token"),
    "audit.searched": _l("Searched the audit trail"),
    "consent.share_with_university": _l("Changed sharing with the university"),
    "consent.accept_contact": _l("Changed whether contact is accepted"),
    "deletion.requested": _l("Asked for deletion"),
    "dormancy.ended": _l("Ended a dormancy"),
    "duplicate.merged": _l("Merged a possible duplicate"),
    "duplicate.kept_apart": _l("Kept a possible duplicate apart"),
    "import.completed": _l("Imported a file of doctoral students"),
    "inquiry.closed": _l("Marked an inquiry answered"),
    "inquiry.listed": _l("Read the inquiries"),
    "inquiry.received": _l("Sent an inquiry"),
    "inquiry.replied": _l("Answered an inquiry by mail"),
    "login.code_failed": _l("Typed a wrong sign-in code"),
    "login.failed": _l("Failed to log in"),
    "login.password_accepted": _l("Gave the right password (code still to come)"),
    "login.refused": _l("Was refused log-in (account state)"),
    "login.succeeded": _l("Logged in"),
    "login.throttled": _l("Was held back after too many failed log-ins"),
    "logout": _l("Logged out"),
    "password.changed": _l("Changed the password"),
    "provision.recorded": _l("Recorded a provision of data"),
    "provisions.exported": _l("Downloaded the provisions register"),
    "record.contacted": _l("Wrote to a registrant"),
    "record.exported": _l("Downloaded a record in a list"),
    "record.refused": _l("Was refused a record"),
    "record.viewed": _l("Viewed a record"),
    "records.exported": _l("Downloaded a list of records"),
    "records.listed": _l("Listed records"),
    "reset.requested": _l("Asked for a password reset"),
    "signup.requested": _l("Asked to sign up"),
    "stats.downloaded": _l("Downloaded a statistics file"),
    "stats.release.created": _l("Made a statistical release"),
    "stats.table.viewed": _l("Viewed a statistics table"),
    "survey.created": _l("Created a survey"),
    "survey.definition_loaded": _l("Loaded a survey definition"),
    "survey.version_added": _l("Added a survey version"),
    "survey.targeting_set": _l("Set who a survey targets"),
    "survey.open": _l("Opened a survey"),
    "survey.closed": _l("Closed a survey"),
    "survey.response_submitted": _l("Submitted survey answers"),
    "survey.career_written_back": _l("Updated the career record from a survey"),
    "survey.responses_exported": _l("Downloaded survey responses"),
    "survey.mail_accepted": _l("Accepted survey mail"),
    "survey.mail_stopped": _l("Stopped survey mail"),
    "two_factor.enabled": _l("Turned two-factor sign-in on"),
    "two_factor.disabled": _l("Turned two-factor sign-in off"),
    "two_factor.enrol_failed": _l("Typed a wrong code while turning on two-factor sign-in"),
    "two_factor.codes_renewed": _l("Made new recovery codes"),
    "two_factor.recovery_code_used": _l("Logged in with a recovery code"),
    "university.cooperation": _l("Switched a university's joint utilization"),
    "university.created": _l("Added a university"),
}
RECORDS = {"registrant": _l("profile"), "enrolment": _l("doctoral programme"),
           "career_spell": _l("career entry")}
CHANGES = {"create": _l("Added a %(what)s"), "update": _l("Changed a %(what)s"),
           "delete": _l("Deleted a %(what)s")}
OUTCOMES = {"success": _l("done"), "denied": _l("refused"), "failure": _l("failed")}


def action_words(action: str) -> str:
    """Say what an audit action was; an unknown code is shown as it is."""
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "record" and parts[2] in CHANGES:
        return str(CHANGES[parts[2]]) % {"what": RECORDS.get(parts[1], parts[1])}
    return str(ACTIONS.get(action, action))


def outcome_words(outcome) -> str:
    return str(OUTCOMES.get(str(outcome), outcome))
