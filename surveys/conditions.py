"""The condition language as text: tokenizer, recursive-descent parser and serialiser.

Grammar (lowest precedence first; comparisons do not chain)::

    condition  := or_expr EOF
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand (("=" | "!=" | "<" | "<=" | ">" | ">=") operand)?
    operand    := literal | "${" name "}" | "." | call | "(" or_expr ")"
    call       := ("selected" "(" var "," code ")") | ("empty" | "count-selected") "(" var ")"
    literal    := integer | decimal | 'string' | "string" | "true" | "false" | "null"

Nothing here evaluates text as code: the tree (`surveys.syntax`) is data, walked by
`surveys.evaluate`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .syntax import (And, Call, Compare, ConditionSyntaxError, Literal, Node, Not, Or, Self,
                     Var)

MAX_LENGTH = 2000
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
FUNCTIONS = ("selected", "empty", "count-selected")
KEYWORDS = ("and", "or", "not", "true", "false", "null")
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, var, dot, word, op, (, ), ",", end
    value: object
    position: int


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_WORD = re.compile(r"[a-z][a-z0-9_-]*")


def tokenize(text: str) -> list[Token]:
    """Split a condition into tokens, refusing any character the grammar does not know."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError("condition_too_long", MAX_LENGTH, limit=MAX_LENGTH)
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t\r\n":
            i += 1
        elif text.startswith("${", i):
            end = text.find("}", i)
            name = text[i + 2:end] if end != -1 else ""
            if end == -1 or not NAME_RE.fullmatch(name):
                raise ConditionSyntaxError("bad_variable", i)
            tokens.append(Token("var", name, i))
            i = end + 1
        elif char in "'\"":
            end = text.find(char, i + 1)
            if end == -1:
                raise ConditionSyntaxError("unterminated_string", i)
            tokens.append(Token("str", text[i + 1:end], i))
            i = end + 1
        elif (match := _NUMBER.match(text, i)) is not None:
            literal = match.group()
            value = Decimal(literal) if match.group(1) else int(literal)
            tokens.append(Token("num", value, i))
            i = match.end()
        elif char == "." and not text[i + 1:i + 2].isdigit():
            tokens.append(Token("dot", ".", i))
            i += 1
        elif (match := _WORD.match(text, i)) is not None:
            tokens.append(Token("word", match.group(), i))
            i = match.end()
        elif text.startswith(("!=", "<=", ">="), i):
            tokens.append(Token("op", text[i:i + 2], i))
            i += 2
        elif char in "=<>":
            tokens.append(Token("op", char, i))
            i += 1
        elif char in "(),":
            tokens.append(Token(char, char, i))
            i += 1
        else:
            raise ConditionSyntaxError("unexpected_character", i, character=char)
    tokens.append(Token("end", None, len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str) -> Token:
        if self.current.kind != kind:
            self.unexpected(expected=kind)
        return self.advance()

    def unexpected(self, expected: str = "") -> None:
        token = self.current
        if token.kind == "end":
            raise ConditionSyntaxError("unexpected_end", token.position)
        raise ConditionSyntaxError("unexpected_token", token.position, token=str(token.value),
                                   expected=expected)

    def is_word(self, word: str) -> bool:
        return self.current.kind == "word" and self.current.value == word

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise ConditionSyntaxError("empty_condition", 0)
        node = self.or_expr()
        if self.current.kind != "end":
            self.unexpected()
        return node

    def or_expr(self) -> Node:
        args = [self.and_expr()]
        while self.is_word("or"):
            self.advance()
            args.append(self.and_expr())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def and_expr(self) -> Node:
        args = [self.not_expr()]
        while self.is_word("and"):
            self.advance()
            args.append(self.not_expr())
        return args[0] if len(args) == 1 else And(tuple(args))

    def not_expr(self) -> Node:
        if self.is_word("not"):
            self.advance()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        if self.current.kind != "op":
            return left
        op = self.advance().value
        right = self.operand()
        if self.current.kind == "op":
            raise ConditionSyntaxError("chained_comparison", self.current.position)
        return Compare(str(op), left, right)

    def operand(self) -> Node:
        token = self.current
        if token.kind in ("num", "str"):
            self.advance()
            return Literal(token.value)
        if token.kind == "var":
            self.advance()
            return Var(str(token.value), token.position)
        if token.kind == "dot":
            self.advance()
            return Self(token.position)
        if token.kind == "(":
            self.advance()
            node = self.or_expr()
            self.expect(")")
            return node
        if token.kind == "word":
            word = str(token.value)
            if word in ("true", "false"):
                self.advance()
                return Literal(word == "true")
            if word == "null":
                self.advance()
                return Literal(None)
            if word in FUNCTIONS:
                return self.call()
            raise ConditionSyntaxError("unknown_word", token.position, word=word)
        self.unexpected()
        raise AssertionError  # unexpected() always raises

    def call(self) -> Node:
        function = str(self.advance().value)
        self.expect("(")
        token = self.expect("var")
        var = Var(str(token.value), token.position)
        code = None
        if function == "selected":
            self.expect(",")
            code_token = self.current
            # XLSForm writes the code quoted: selected(${q}, '2').
            if code_token.kind == "num" and isinstance(code_token.value, int):
                code = code_token.value
            elif code_token.kind == "str" and re.fullmatch(r"-?[0-9]+", str(code_token.value)):
                code = int(str(code_token.value))
            else:
                raise ConditionSyntaxError("bad_code", code_token.position)
            self.advance()
        self.expect(")")
        return Call(function, var, code)


def parse(text: str) -> Node:
    """Parse a condition into its syntax tree, or raise ConditionSyntaxError."""
    return _Parser(text).parse()


def _literal_text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    quote = "'" if "'" not in value else '"'
    return f"{quote}{value}{quote}"


def serialise(node: Node) -> str:
    """Write a syntax tree back as condition text that parses to the same tree."""
    if isinstance(node, Literal):
        return _literal_text(node.value)
    if isinstance(node, Var):
        return "${" + node.name + "}"
    if isinstance(node, Self):
        return "."
    if isinstance(node, Call):
        if node.function == "selected":
            return f"selected(${{{node.var.name}}}, {node.code})"
        return f"{node.function}(${{{node.var.name}}})"
    if isinstance(node, Compare):
        return f"{_operand(node.left)} {node.op} {_operand(node.right)}"
    if isinstance(node, Not):
        inner = serialise(node.arg)
        bare = isinstance(node.arg, (Not, Call, Var, Literal))
        return f"not {inner}" if bare else f"not ({inner})"
    word = " and " if isinstance(node, And) else " or "
    return word.join(f"({serialise(a)})" if isinstance(a, (And, Or)) else serialise(a)
                     for a in node.args)


def _operand(node: Node) -> str:
    text = serialise(node)
    return f"({text})" if isinstance(node, (Compare, And, Or, Not)) else text


def variables(node: Node) -> list[Var]:
    """Return every variable the tree reads, in textual order."""
    if isinstance(node, Var):
        return [node]
    if isinstance(node, Call):
        return [node.var]
    if isinstance(node, Compare):
        return variables(node.left) + variables(node.right)
    if isinstance(node, Not):
        return variables(node.arg)
    if isinstance(node, (And, Or)):
        return [var for arg in node.args for var in variables(arg)]
    return []
