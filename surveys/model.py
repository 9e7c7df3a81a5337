"""The in-memory survey definition: frozen dataclasses built only by the loaders."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator

from .conditions import Node, serialise

FORMAT = "jgrad-survey"
FORMAT_VERSION = 1
LANGUAGES = ("ja", "en")

CHOICE_TYPES = ("select_one", "select_multiple", "likert")
QUESTION_TYPES = (
    "select_one", "select_multiple", "text", "long_text", "integer", "decimal",
    "date", "year_month", "likert", "country",
)
ITEM_TYPES = QUESTION_TYPES + ("matrix", "note", "career")
# Limits on free text, in characters.
TEXT_LENGTH = {"text": 200, "long_text": 4000}


@dataclass(frozen=True)
class Text:
    """One text in each language; at least one of them is given."""

    ja: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """Return the text in `lang`, or in the other language when that one is missing."""
        first, second = (self.ja, self.en) if lang == "ja" else (self.en, self.ja)
        return first if first is not None else (second or "")


@dataclass(frozen=True)
class Condition:
    """A parsed condition; equal when the trees are equal, however the text was spaced."""

    tree: Node
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return serialise(self.tree)


@dataclass(frozen=True)
class Choice:
    code: int
    label: Text
    value: str | None = None  # the career-record code a career item writes back


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    def codes(self) -> frozenset[int]:
        return frozenset(choice.code for choice in self.choices)

    def by_code(self, code: int) -> Choice | None:
        return next((choice for choice in self.choices if choice.code == code), None)


@dataclass(frozen=True)
class Row:
    """One row of a matrix: its own variable, answered on the matrix's scale."""

    name: str
    label: Text


@dataclass(frozen=True)
class Item:
    """One element of a page: a question, a matrix, a note or a career block."""

    name: str
    type: str
    label: Text
    hint: Text | None = None
    required: bool = False
    relevant: Condition | None = None
    constraint: Condition | None = None
    constraint_message: Text | None = None
    choices: str | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    rows: tuple[Row, ...] = ()
    items: tuple["Item", ...] = ()
    prefill: str | None = None
    writeback: str | None = None


@dataclass(frozen=True)
class Page:
    name: str
    title: Text | None
    items: tuple[Item, ...]
    relevant: Condition | None = None


@dataclass(frozen=True)
class Question:
    """One answerable variable in survey order, with the conditions that show it."""

    name: str
    item: Item  # for a matrix row, the matrix; otherwise the question itself
    label: Text
    page: Page
    shown_if: tuple[Condition, ...]  # page, block and item conditions, outermost first


@dataclass(frozen=True)
class Survey:
    slug: str
    version: int
    title: Text
    choice_lists: tuple[ChoiceList, ...]
    pages: tuple[Page, ...]

    def choice_list(self, name: str) -> ChoiceList:
        return next(cl for cl in self.choice_lists if cl.name == name)

    def page(self, name: str) -> Page:
        return next(page for page in self.pages if page.name == name)

    def questions(self, page: Page | None = None) -> Iterator[Question]:
        """Yield every answerable variable in order (matrix rows and career items included)."""
        for current in self.pages if page is None else (page,):
            outer = (current.relevant,) if current.relevant else ()
            yield from _questions(current, current.items, outer)

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions() if q.name == name), None)


def _questions(page: Page, items, outer) -> Iterator[Question]:
    for item in items:
        conditions = outer + ((item.relevant,) if item.relevant else ())
        if item.type == "career":
            yield from _questions(page, item.items, conditions)
        elif item.type == "matrix":
            for row in item.rows:
                yield Question(row.name, item, row.label, page, conditions)
        elif item.type != "note":
            yield Question(item.name, item, item.label, page, conditions)
