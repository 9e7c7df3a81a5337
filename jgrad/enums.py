"""Small helpers for enumerations stored as short strings."""
from __future__ import annotations

import enum

import sqlalchemy as sa


class StrEnum(str, enum.Enum):
    """An enumeration whose members are their own string values."""

    def __str__(self) -> str:
        return self.value


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enumeration by value in a VARCHAR on every database."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
