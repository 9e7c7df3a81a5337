"""The signed-in account is loaded in one query joined to what its role reads next, and a
role remembered wrongly only costs a query, never a wrong page."""
from jgrad.accounts import session as sessions
from jgrad.accounts.models import Role
from tests.factories import statements


def statements_of(client, path):
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200
    return response, seen


def account_query(seen):
    (first,) = [s for s in seen if "FROM accounts" in s.split("WHERE")[0]
                and "accounts.session_version" in s]
    return first


def test_a_registrant_account_is_joined_to_the_record_and_not_to_a_university(
        app, client, make_registrant, login, monkeypatch):
    monkeypatch.setattr(sessions, "_ROLES", {})
    registrant = make_registrant(email="hana@example.org", family_name_roman="YAMADA")
    login("hana@example.org")
    client.get("/me")  # the first load joins both: the role is not known yet
    assert sessions._ROLES == {registrant.account_id: Role.REGISTRANT.value}
    response, statements = statements_of(client, "/me")
    loaded = account_query(statements)
    assert "JOIN registrants" in loaded and "JOIN universities" not in loaded
    assert "YAMADA" in response.get_data(as_text=True)


def test_a_staff_account_is_joined_to_its_university_only(
        app, client, make_university, make_account, login, monkeypatch):
    monkeypatch.setattr(sessions, "_ROLES", {})
    university = make_university()
    staff = make_account(Role.STAFF, email="staff@example.org", university=university)
    login("staff@example.org")
    client.get("/records/")
    assert sessions._ROLES == {staff.id: Role.STAFF.value}
    _, statements = statements_of(client, "/records/")
    loaded = account_query(statements)
    assert "JOIN universities" in loaded and "JOIN registrants" not in loaded


def test_a_role_remembered_wrongly_still_gives_the_right_page(
        app, client, make_registrant, login, monkeypatch):
    registrant = make_registrant(email="hana@example.org", family_name_roman="YAMADA")
    login("hana@example.org")
    monkeypatch.setattr(sessions, "_ROLES", {registrant.account_id: Role.STAFF.value})
    response, statements = statements_of(client, "/me")
    assert "YAMADA" in response.get_data(as_text=True)
    # the record came by a query of its own instead of the join
    assert any(s.lstrip().startswith("SELECT registrants.") for s in statements)


def test_the_remembered_roles_are_bounded(app, client, make_registrant, login, monkeypatch):
    monkeypatch.setattr(sessions, "_ROLES", {n: "staff" for n in range(10_000, 10_003)})
    monkeypatch.setattr(sessions, "ROLES_KEPT", 3)
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    client.get("/me")
    assert sessions._ROLES == {registrant.account_id: Role.REGISTRANT.value}
