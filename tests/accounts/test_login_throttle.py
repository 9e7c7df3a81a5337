"""Security baseline: failed log-ins limited per account and per client; successes never count."""
import pytest

from jgrad.accounts.models import Account
from jgrad.extensions import db
from tests.factories import PASSWORD

WAIT_MESSAGE = "Too many failed log-ins for this account or from this address."


def attempt(client, identifier: str, password: str, address: str):
    return client.submit("/login", {"identifier": identifier, "password": password},
                         environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_FAILURE_LIMIT": "10 per 15 minutes"}])
def test_security_baseline_guessing_one_account_from_many_addresses_locks_it(
        app, make_registrant, app_config):
    registrant = make_registrant(email="hana@example.org")
    codes = []
    for n in range(30):  # 30 addresses, one guess each: the per-client limit never applies
        guesser = app.test_client()
        codes.append(attempt(guesser, "hana@example.org", f"guess number {n:04d}",
                             f"198.51.100.{n + 1}").status_code)
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
    # The right password, from an address never seen, is refused while the lock holds.
    owner = app.test_client()
    response = attempt(owner, "Hana@Example.org ", PASSWORD, "203.0.113.7")
    text = response.get_data(as_text=True)
    assert response.status_code == 429
    assert WAIT_MESSAGE in text and "Please try again in 15 minutes." in text
    assert int(response.headers["Retry-After"]) > 0
    assert owner.get("/me").status_code == 302
    assert db.session.get(Account, registrant.account_id).last_login_at is None
    # By Doctor ID it is the same account, and the same lock.
    assert attempt(owner, registrant.doctor_id.lower(), PASSWORD,
                   "203.0.113.8").status_code == 429


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_FAILURE_LIMIT": "3 per 15 minutes"}])
def test_security_baseline_lock_out_looks_the_same_for_unknown_identifiers(
        app, make_registrant, app_config):
    make_registrant(email="hana@example.org")
    pages = {}
    for identifier in ("hana@example.org", "nobody@example.org"):
        codes = []
        for n in range(5):
            response = attempt(app.test_client(), identifier, "wrong wrong wrong",
                               f"192.0.2.{n + 1}")
            codes.append(response.status_code)
        pages[identifier] = (codes, WAIT_MESSAGE in response.get_data(as_text=True))
    assert pages["hana@example.org"] == pages["nobody@example.org"] == (
        [200, 200, 200, 429, 429], True)


@pytest.mark.parametrize("app_config", [{"LOGIN_RATE_LIMIT": "3 per minute",
                                         "LOGIN_ACCOUNT_FAILURE_LIMIT": "2 per minute"}])
def test_security_baseline_successful_log_ins_are_never_counted(client, make_registrant,
                                                                app_config):
    make_registrant(email="hana@example.org")
    checked = 0
    for _ in range(12):  # four times both limits, from one address
        response = attempt(client, "hana@example.org", PASSWORD, "192.0.2.10")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert client.submit("/logout").status_code == 302
        checked += 1
    assert checked == 12
    # A typing mistake before each success: the account's count starts again at each success.
    for _ in range(2):
        assert attempt(client, "hana@example.org", "typo typo typo", "192.0.2.10").status_code \
            == 200
        assert attempt(client, "hana@example.org", PASSWORD, "192.0.2.10").status_code == 302
        client.submit("/logout")


@pytest.mark.parametrize("app_config", [{"LOGIN_RATE_LIMIT": "5 per minute"}])
def test_security_baseline_failures_from_one_address_are_still_limited(client, app_config):
    codes = [attempt(client, f"person{n}@example.org", "wrong wrong wrong",
                     "192.0.2.99").status_code for n in range(7)]
    assert codes == [200] * 5 + [429] * 2  # a different identifier each time
    response = attempt(client, "person99@example.org", "wrong wrong wrong", "192.0.2.99")
    assert WAIT_MESSAGE in response.get_data(as_text=True)
    # Another address is not affected.
    assert attempt(client, "person0@example.org", "wrong wrong wrong",
                   "192.0.2.100").status_code == 200
