"""Every route says who may enter where it is declared; a route that does not cannot exist."""
import pytest
import sqlalchemy as sa
from flask import Blueprint

from jgrad.access import ANYONE, EDITOR, allow, check_every_route_is_gated, guard, ungated_endpoints
from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db


def test_every_route_of_the_application_has_a_declared_gate(app):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules()]
    assert len(endpoints) > 50
    assert ungated_endpoints(app) == []


def test_a_route_without_a_gate_stops_the_application_from_being_built(app):
    planted = Blueprint("planted_ungated", __name__, url_prefix="/planted-ungated")

    @planted.route("/secret")
    def secret():
        return "everyone's records"

    app.register_blueprint(planted)
    assert ungated_endpoints(app) == ["planted_ungated.secret"]
    with pytest.raises(RuntimeError, match="planted_ungated.secret"):
        check_every_route_is_gated(app)


@pytest.fixture
def planted_admin_pages(app):
    """A blueprint guarded for administrators whose views check nothing themselves."""
    pages = Blueprint("planted_admin", __name__, url_prefix="/planted-admin")
    guard(pages, Role.ADMIN)

    @pages.route("/")
    def listing():
        return "admin only"

    @pages.route("/edit", methods=["GET", "POST"])
    @allow(EDITOR, Role.ADMIN)
    def edit():
        return "editors and administrators"

    @pages.route("/open")
    @allow(ANYONE)
    def open_page():
        return "anyone"

    app.register_blueprint(pages)
    check_every_route_is_gated(app)
    return pages


@pytest.mark.parametrize("visitor, listing, edit", [
    ("anonymous", "login", "login"),
    ("registrant", 403, 403),
    ("viewer", 403, 403),
    ("editor", 403, 200),
    ("analyst", 403, 403),
    ("admin", 200, 200),
])
def test_the_gate_decides_before_any_view_runs(planted_admin_pages, client, login,
                                               make_account, make_registrant,
                                               make_university, visitor, listing, edit):
    university = make_university()
    accounts = {
        "registrant": lambda: make_registrant(email="r@example.org").account,
        "viewer": lambda: make_account(role=Role.STAFF, university=university,
                                       email="viewer@example.org"),
        "editor": lambda: make_account(role=Role.STAFF, university=university,
                                       email="editor@example.org"),
        "analyst": lambda: make_account(role=Role.ANALYST, email="analyst@example.org"),
        "admin": lambda: make_account(role=Role.ADMIN, email="admin@example.org"),
    }
    if visitor != "anonymous":
        account = accounts[visitor]()
        account.staff_role = "editor" if visitor == "editor" else "viewer"
        db.session.commit()
        login(account.email)
    for path, expected in (("/planted-admin/", listing), ("/planted-admin/edit", edit)):
        response = client.get(path)
        if expected == "login":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == expected, (path, response.status_code)
    assert client.get("/planted-admin/open").status_code == 200
    refused = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "access.denied"))
    assert refused == [listing, edit].count(403), "every refusal is audited"
