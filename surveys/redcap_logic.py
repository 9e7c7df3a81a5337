"""REDCap branching logic to and from the condition language."""
from __future__ import annotations

import re
from decimal import Decimal

from .syntax import And, Call, Compare, Literal, Node, Not, Or, Var
from .evaluate import VarInfo


class Untranslatable(ValueError):
    """Branching logic (or a condition) with no equivalent on the other side."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<field>\[[a-z][a-z0-9_]*(?:\(-?[0-9]+\))?\])
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>-?[0-9]+(?:\.[0-9]+)?)
  | (?P<op><>|!=|<=|>=|=|<|>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<paren>[()])
)""", re.VERBOSE)
_FIELD = re.compile(r"\[([a-z][a-z0-9_]*)(?:\((-?[0-9]+)\))?\]")


def _tokens(logic: str) -> list[tuple[str, str]]:
    tokens, i = [], 0
    logic = logic.strip()
    while i < len(logic):
        match = _TOKEN.match(logic, i)
        if match is None or match.end() == i:
            raise Untranslatable(f"'{logic[i:i + 20]}'")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        i = match.end()
    return tokens


class _Reader:
    """Recursive descent over REDCap logic: or < and < comparison (REDCap has no `not`)."""

    def __init__(self, logic: str, known: dict[str, VarInfo]):
        self.tokens = _tokens(logic) + [("end", "")]
        self.index = 0
        self.known = known

    def peek_word(self, word: str) -> bool:
        kind, text = self.tokens[self.index]
        return kind == "word" and text.lower() == word

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def read(self) -> Node:
        node = self.or_expr()
        if self.tokens[self.index][0] != "end":
            raise Untranslatable(f"'{self.tokens[self.index][1]}'")
        return node

    def or_expr(self) -> Node:
        args = [self.and_expr()]
        while self.peek_word("or"):
            self.take()
            args.append(self.and_expr())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def and_expr(self) -> Node:
        args = [self.comparison()]
        while self.peek_word("and"):
            self.take()
            args.append(self.comparison())
        return args[0] if len(args) == 1 else And(tuple(args))

    def comparison(self) -> Node:
        if self.tokens[self.index][0] == "paren" and self.tokens[self.index][1] == "(":
            self.take()
            node = self.or_expr()
            if self.take() != ("paren", ")"):
                raise Untranslatable("')'")
            return node
        left = self.operand()
        kind, op = self.take()
        if kind != "op":
            raise Untranslatable(f"'{op}'")
        right = self.operand()
        if left[0] != "field" and right[0] == "field":
            left, right = right, left
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        return self._compare(left, "!=" if op == "<>" else op, right)

    def operand(self) -> tuple[str, str]:
        kind, text = self.take()
        if kind not in ("field", "str", "num"):
            raise Untranslatable(f"'{text}'")
        return kind, text

    def _info(self, name: str) -> VarInfo:
        if name not in self.known:
            raise Untranslatable(f"[{name}]")
        return self.known[name]

    def _compare(self, left, op: str, right) -> Node:
        if left[0] != "field":
            raise Untranslatable(f"{left[1]} {op} {right[1]}")
        name, code = _FIELD.fullmatch(left[1]).groups()
        info = self._info(name)
        value = right[1][1:-1] if right[0] == "str" else right[1]
        if code is not None:  # a checkbox option: '1' ticked, '0' not
            if info.kind != "multi" or op not in ("=", "!=") or value not in ("0", "1"):
                raise Untranslatable(left[1])
            call = Call("selected", Var(name), int(code))
            return call if (value == "1") == (op == "=") else Not(call)
        if right[0] == "field":
            other, other_code = _FIELD.fullmatch(right[1]).groups()
            if other_code is not None:
                raise Untranslatable(right[1])
            self._info(other)
            return Compare(op, Var(name), Var(other))
        if value == "" and op in ("=", "!="):
            call = Call("empty", Var(name))
            return call if op == "=" else Not(call)
        if info.kind in ("code", "number"):
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                raise Untranslatable(f"{left[1]} {op} {right[1]}")
            number = Decimal(value) if "." in value else int(value)
            return Compare(op, Var(name), Literal(number))
        return Compare(op, Var(name), Literal(value))


def from_redcap(logic: str, known: dict[str, VarInfo]) -> Node:
    """Translate REDCap branching logic, given the fields before it, or raise Untranslatable."""
    return _Reader(logic, known).read()


def _quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise Untranslatable(text)


def to_redcap(node: Node, known: dict[str, VarInfo]) -> str:
    """Write a condition as REDCap branching logic, or raise Untranslatable."""
    if isinstance(node, (And, Or)):
        word = " and " if isinstance(node, And) else " or "
        return word.join(f"({to_redcap(a, known)})" if isinstance(a, (And, Or))
                         else to_redcap(a, known) for a in node.args)
    if isinstance(node, Not) and isinstance(node.arg, Call):
        call = node.arg
        kind = known[call.var.name].kind
        if call.function == "selected" and kind == "multi":
            return f"[{call.var.name}({call.code})] = '0'"
        if call.function == "empty" and kind != "multi":
            return f"[{call.var.name}] <> ''"
        raise Untranslatable("not")
    if isinstance(node, Call):
        kind = known[node.var.name].kind
        if node.function == "selected":
            if kind == "multi":
                return f"[{node.var.name}({node.code})] = '1'"
            return f"[{node.var.name}] = '{node.code}'"
        if node.function == "empty" and kind != "multi":
            return f"[{node.var.name}] = ''"
        raise Untranslatable(node.function)
    if isinstance(node, Compare) and isinstance(node.left, Var):
        op = "<>" if node.op == "!=" else node.op
        if isinstance(node.right, Var):
            return f"[{node.left.name}] {op} [{node.right.name}]"
        if isinstance(node.right, Literal) and not isinstance(node.right.value, (bool, type(None))):
            value = node.right.value
            if known[node.left.name].kind == "code":
                return f"[{node.left.name}] {op} '{value}'"
            if isinstance(value, str):
                return f"[{node.left.name}] {op} {_quote(value)}"
            return f"[{node.left.name}] {op} {value}"
    raise Untranslatable(type(node).__name__)
