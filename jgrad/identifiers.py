"""Doctor IDs and ORCID iDs: generation and checksum validation."""
from __future__ import annotations

import re
import secrets

DOCTOR_ID_RE = re.compile(r"^JD\d{9}$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def _luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_doctor_id() -> str:
    """Return a random Doctor ID: ``JD``, eight digits and a check digit."""
    body = f"{secrets.randbelow(10**8):08d}"
    return f"JD{body}{_luhn_digit(body)}"


def is_valid_doctor_id(value: str) -> bool:
    """Tell whether a string is a well-formed Doctor ID with a correct check digit."""
    value = (value or "").strip().upper()
    return bool(DOCTOR_ID_RE.match(value)) and _luhn_digit(value[2:10]) == value[10]


def normalise_orcid(value: str) -> str:
    """Strip a leading https://orcid.org/ and upper-case the check character."""
    value = (value or "").strip()
    for prefix in ("https://orcid.org/", "http://orcid.org/", "orcid.org/"):
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    return value.upper()


def is_valid_orcid(value: str) -> bool:
    """Check an ORCID iD's form and its ISO 7064 MOD 11-2 check character."""
    value = normalise_orcid(value)
    if not ORCID_RE.match(value):
        return False
    digits = value.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    check = "X" if result == 10 else str(result)
    return digits[-1] == check
