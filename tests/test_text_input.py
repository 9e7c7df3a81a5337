"""Security baseline: a NUL character, which neither database takes in a string, anywhere in
a request's text (a query string, a form; a JSON body in tests/api/test_records.py) is read
as a space, never an error page; uploaded files are left as they were sent."""
import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict

from jgrad.accounts.models import Role
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from jgrad.web import TextParameters
from tests.registrants.test_self_service import profile_form


def test_security_baseline_a_nul_in_a_form_or_a_query_is_a_space(
        client, login, make_university, make_registrant, make_account):
    person = make_registrant(email="person@example.org", university=make_university())
    make_account(Role.ADMIN, email="admin@example.org")
    db.session.commit()

    response = client.submit("/contact", {"name": "Hana\x00Yamada", "email": "h@example.org",
                                          "details": "Please\x00help"})
    assert response.status_code == 200
    inquiry = db.session.scalar(sa.select(Inquiry))
    assert (inquiry.name, inquiry.details) == ("Hana Yamada", "Please help")

    login("admin@example.org")
    for path in ("/admin/audit?actor=a%00b", "/admin/audit?doctor_id=%00"):
        assert client.get(path).status_code == 200, path
    client.submit("/logout", {})

    login("person@example.org")
    response = client.submit("/me/profile", profile_form(person, family_name_roman="Ya\x00mada"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registrant, person.id).family_name_roman == "Ya mada"


def test_the_parameters_keep_every_value_and_leave_files_as_sent():
    upload = FileStorage(io.BytesIO(b"a\x00b"), filename="a.csv")
    parameters = TextParameters([("k\x00", "v\x00"), ("k\x00", "w"), ("f", upload)])
    assert parameters.getlist("k ") == ["v ", "w"]
    assert parameters["f"] is upload and upload.read() == b"a\x00b"
    assert TextParameters({"a": ["1\x00", "2"]}).getlist("a") == ["1 ", "2"]
    assert TextParameters(MultiDict([("a", "x"), ("a", "y")])).getlist("a") == ["x", "y"]
    assert not TextParameters()
