"""The importer's e-mail check, which checks each domain once, says what validate_email says."""
import pytest
from email_validator import EmailNotValidError, validate_email

from jgrad.imports.importfile import EmailCheck

DOMAINS = ("example.org", "mail.u-tokyo.ac.jp", "localhost", "test", "invalid", "a.b",
           "xn--r8jz45g.jp", "例え.jp", "example.org.", "-bad.org", "ex_ample.org",
           "[192.0.2.1]", "a" * 63 + ".org", "a" * 64 + ".org")
LOCALS = ("kenta", "kenta.sato", "k+tag", "o'brien", "a..b", ".a", "a.", '"quoted"',
          '"with space"', "ケンタ", "postmaster", "a" * 64, "a" * 65, "x" * 240, "a@b",
          "display <kenta", "")


def accepted(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_address_gets_the_full_checks_verdict_once_its_domain_is_known(domain):
    check = EmailCheck()
    check(f"first@{domain}")  # a plain address first: its domain may be remembered
    for local in LOCALS:
        address = f"{local}@{domain}"
        assert check(address) == accepted(address), address
    assert check(f"first@{domain}") == accepted(f"first@{domain}")


def test_an_address_at_the_length_limit_passes_and_one_past_it_fails():
    check = EmailCheck()
    assert check("a@example.org")
    fits = "a" * (254 - len("@example.org")) + "@example.org"
    assert len(fits) == 254 and check(fits) == accepted(fits)
    assert not check("a" + fits) and not accepted("a" + fits)
