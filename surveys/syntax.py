"""The syntax tree of a condition: plain frozen data, built by `surveys.conditions.parse`
and walked by `surveys.evaluate` (nothing in it is ever executed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union


class ConditionSyntaxError(ValueError):
    """A condition that does not follow the grammar; `position` counts characters from 0."""

    def __init__(self, key: str, position: int, **params):
        super().__init__(f"{key} at {position}")
        self.key = key
        self.position = position
        self.params = params


@dataclass(frozen=True)
class Literal:
    value: int | Decimal | str | bool | None


@dataclass(frozen=True)
class Var:
    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Self:
    """`.`: the value of the question a constraint belongs to."""

    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class And:
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    arg: "Node"


@dataclass(frozen=True)
class Call:
    function: str
    var: Var
    code: int | None = None


Node = Union[Literal, Var, Self, Compare, And, Or, Not, Call]
