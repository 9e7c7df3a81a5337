"""Small filters shared by the forms."""
from __future__ import annotations


def strip(value):
    """Trim white space around text input."""
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    """Trim text input and turn an empty answer into None."""
    value = strip(value)
    return value or None
