"""Profile changes sent as JSON, checked by the very form the pages use, then saved by the
registrants' service (so the API accepts exactly what the pages accept)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from jgrad.api.problems import Problem
from jgrad.registrants import services
from jgrad.registrants.forms import ProfileForm, values_of


def _text(value) -> str:
    return "" if value is None else str(value)


def change_profile(registrant, patch, actor) -> dict:
    """Apply the fields given in ``patch`` (a ProfilePatch); return what changed."""
    given = patch.model_dump(exclude_unset=True)
    version = given.pop("version", None)
    current = {name: _text(getattr(registrant, name)) for name in services.PROFILE_FIELDS}
    current.update({name: _text(value) for name, value in given.items()})
    form = ProfileForm(formdata=MultiDict(current), meta={"csrf": False})
    if not form.validate():
        raise Problem(422, errors=[{"field": name, "message": str(message)}
                                   for name, messages in form.errors.items()
                                   for message in messages])
    values = values_of(form)
    values["version"] = version
    try:
        return services.update_profile(registrant, values, actor)
    except services.StaleRecord as error:
        raise Problem(409, detail=str(error), errors=[
            {"field": name, "message": "changed meanwhile"}
            for name, _now, _yours in error.differences]) from error
    except services.RecordError as error:
        raise Problem(422, detail=str(error)) from error
