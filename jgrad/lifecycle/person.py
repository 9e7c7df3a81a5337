"""What identifies a registrant in free text: Doctor ID, addresses, names, student numbers.

Deletion uses this to find and scrub the person's traces outside their own rows, and
``leftovers`` to prove none is left. Matching is on whole tokens: a name or number counts
only where no ASCII letter or digit touches it, so "Li" does not match "filters".
"""
from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment, Registrant

NAME_COLUMNS = (("family_name", "given_name"), ("family_name_kana", "given_name_kana"),
                ("family_name_roman", "given_name_roman"))
# What a scrubbed value or phrase becomes.
REMOVED = "[removed]"
MIN_TOKEN = 2
# Above this many tokens, candidates are found by one scan in Python instead of LIKEs.
MAX_SQL_TOKENS = 60


@dataclass(frozen=True)
class Person:
    """A snapshot of one registrant's identifiers, taken before the deletion."""

    registrant_id: int
    account_id: int
    doctor_id: str
    emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # each family and given name in every script
    full_names: tuple[tuple[str, str], ...] = ()  # (family, given) per script
    student_numbers: tuple[str, ...] = ()

    @property
    def strong(self) -> tuple[str, ...]:
        """Identifiers that single the person out wherever they appear."""
        return (self.doctor_id, *self.emails)


@dataclass
class Needles:
    """The identifiers of a batch of people, as SQL candidates and as exact matchers."""

    strong: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    full_names: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, people: list[Person]) -> "Needles":
        needles = cls()
        for person in people:
            needles.strong += person.strong
            needles.names += person.names
            needles.numbers += person.student_numbers
            needles.full_names += person.full_names
        return needles

    def words(self, names: bool = True, numbers: bool = True) -> list[str]:
        """Every single token a text must not contain (names and numbers optional)."""
        tokens = list(self.strong)
        if names:
            tokens += self.names
        if numbers:
            tokens += self.numbers
        return sorted({t for t in tokens if t and len(t) >= MIN_TOKEN}, key=len, reverse=True)

    def matcher(self, names: bool = True, numbers: bool = True,
                full_names: bool = True) -> "Finder | None":
        """A finder of any identifier as a whole token (full names with any spacing)."""
        words = self.words(names, numbers)
        pairs = self.full_names if full_names else []
        if not words and not pairs:
            return None
        return Finder(words, pairs)

    def sql_candidates(self, column, names: bool = True, numbers: bool = True,
                       json_text: bool = False):
        """A condition true for every row whose column may hold an identifier (a superset).

        With ``json_text`` the column is JSON cast to text, where non-ASCII is escaped
        as ``\\uXXXX``: the escaped spelling is searched as well. For a large batch the
        condition is simply true (one pass over the table beats thousands of LIKEs per
        row): callers always confirm candidates with ``matcher``.
        """
        words = self.words(names, numbers)
        if len(words) > MAX_SQL_TOKENS:
            return sa.true()
        text = sa.func.lower(sa.cast(column, sa.Text) if json_text else column)
        conditions = []
        for token in words:
            spellings = {token.lower()}
            if json_text:
                spellings.add(json.dumps(token)[1:-1].lower())
            conditions += [text.contains(s, autoescape=True) for s in spellings]
        return sa.or_(*conditions) if conditions else sa.false()


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# A run of ASCII word characters joined by the punctuation of addresses and numbers.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:[._@+\-][A-Za-z0-9]+)*")
_SPACES = re.compile(r"\s+")
MAX_PARTS = 16


class Finder:
    """Find identifiers in text in time linear in its length, however many people there are.

    ASCII identifiers (addresses, Doctor IDs, student numbers, romanised names) are looked
    up as whole words or runs of a word's parts, full names as two words apart only by
    spaces; others (kanji, kana) as substrings from each non-ASCII character, spaces
    skipped. Case is ignored for ASCII letters.
    """

    def __init__(self, words: list[str], pairs) -> None:
        self.ascii: set[str] = set()
        self.wide: set[str] = set()
        for word in words:
            self._add(word)
        for family, given in pairs:
            for first, second in ((family, given), (given, family)):
                self._add(f"{first} {second}")
        self.wide_lengths = sorted({len(w) for w in self.wide}, reverse=True)

    def _add(self, token: str) -> None:
        token = token.strip().translate(_ASCII_LOWER)
        if token.isascii():
            token = _SPACES.sub(" ", token)
        else:
            token = _SPACES.sub("", token)
        if len(token) >= MIN_TOKEN:
            (self.ascii if token.isascii() else self.wide).add(token)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) of every identifier in the text."""
        text = text.translate(_ASCII_LOWER)
        found = []
        words = list(_ASCII_WORD.finditer(text))
        for index, match in enumerate(words):
            parts = re.split(r"([._@+\-])", match.group())[:2 * MAX_PARTS - 1]
            offsets = [match.start()]
            for piece in parts:
                offsets.append(offsets[-1] + len(piece))
            for i in range(0, len(parts), 2):
                for j in range(i, len(parts), 2):
                    if "".join(parts[i:j + 1]) in self.ascii:
                        found.append((offsets[i], offsets[j + 1]))
            following = words[index + 1] if index + 1 < len(words) else None
            if following is not None and \
                    _SPACES.fullmatch(text[match.end():following.start()]) and \
                    f"{match.group()} {following.group()}" in self.ascii:
                found.append((match.start(), following.end()))
        if self.wide:
            longest = self.wide_lengths[0]
            for start, char in enumerate(text):
                if char.isascii() or char.isspace():
                    continue
                compact, ends = [], []
                for position in range(start, len(text)):
                    if text[position].isspace():
                        continue
                    compact.append(text[position])
                    ends.append(position + 1)
                    if len(compact) == longest:
                        break
                joined = "".join(compact)
                for length in self.wide_lengths:
                    if length <= len(joined) and joined[:length] in self.wide:
                        found.append((start, ends[length - 1]))
                        break
        return found

    def search(self, text: str) -> bool:
        return bool(self.spans(text))

    def sub(self, replacement: str, text: str) -> str:
        """Replace every identifier; a text without one is returned unchanged."""
        spans = sorted(self.spans(text))
        if not spans:
            return text
        pieces, position = [], 0
        for start, end in spans:
            if start < position:  # overlaps the previous one: extend it
                position = max(position, end)
                continue
            pieces += [text[position:start], replacement]
            position = end
        return "".join(pieces) + text[position:]


def scrub_text(text: str | None, pattern: Finder | None) -> str | None:
    """Replace every identifier in a text by the removal mark."""
    if not text or pattern is None:
        return text
    return pattern.sub(REMOVED, text)


def scrub_json(value, pattern: Finder | None):
    """Return a JSON value with every string that names the person replaced (keys kept)."""
    if pattern is None:
        return value
    if isinstance(value, dict):
        return {key: scrub_json(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item, pattern) for item in value]
    if isinstance(value, str) and pattern.search(value):
        return REMOVED
    return value


def json_names_person(value, pattern: Finder | None) -> bool:
    """Tell whether any string in a JSON value matches."""
    return pattern is not None and scrub_json(value, pattern) != value


def people(registrant_ids: list[int]) -> list[Person]:
    """Load the identifiers of these registrants in two statements."""
    if not registrant_ids:
        return []
    name_columns = [getattr(Registrant, c) for pair in NAME_COLUMNS for c in pair]
    rows = db.session.execute(
        sa.select(Registrant.id, Account.id, Registrant.doctor_id, Account.email,
                  Registrant.contact_email, Registrant.recovery_email, *name_columns)
        .join(Account, Account.id == Registrant.account_id)
        .where(Registrant.id.in_(registrant_ids))
        .order_by(Registrant.id)
    ).all()
    numbers: dict[int, set[str]] = {}
    for registrant_id, number in db.session.execute(
            sa.select(Enrolment.registrant_id, Enrolment.student_number)
            .where(Enrolment.registrant_id.in_(registrant_ids),
                   Enrolment.student_number.is_not(None))):
        numbers.setdefault(registrant_id, set()).add(number)
    result = []
    for row in rows:
        registrant_id, account_id, doctor_id, *addresses = row[:6]
        name_values = row[6:]
        pairs = tuple((f.strip(), g.strip()) for f, g in zip(name_values[::2], name_values[1::2])
                      if f and g and f.strip() and g.strip())
        names = tuple(sorted({n.strip() for n in name_values if n and n.strip()}))
        result.append(Person(
            registrant_id=registrant_id, account_id=account_id, doctor_id=doctor_id,
            emails=tuple(sorted({a.strip().lower() for a in addresses if a and a.strip()})),
            names=names, full_names=pairs,
            student_numbers=tuple(sorted(numbers.get(registrant_id, ())))))
    return result
