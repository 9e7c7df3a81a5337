"""What the registrant's own download shows of their survey invitations and answers."""
from __future__ import annotations

from jgrad.registrants.services import plain


def invitation_row(invitation) -> dict:
    return {"survey": invitation.survey.slug, "state": str(invitation.state),
            "invited_at": plain(invitation.created_at),
            "reminded": invitation.reminded_count,
            "submitted_at": plain(invitation.submitted_at)}


def response_row(response) -> dict:
    return {"invitation_id": response.invitation_id, "answers": response.answers,
            "page_reached": response.page_reached,
            "submitted_at": plain(response.submitted_at), "updated_at": plain(response.updated_at)}


def mail_choice_row(choice) -> dict:
    return {"at": plain(choice.at), "accept_survey_mail": choice.accept, "via": choice.via}
