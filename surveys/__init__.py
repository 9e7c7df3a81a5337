"""Survey tooling: definitions, conditions, answer validation and exchange formats.

The core is pure Python: `load_json`/`load_definition` build a frozen `Survey`, conditions are
parsed by `surveys.conditions` and evaluated by `surveys.evaluate`, `validate_page` checks one
page of answers, and `surveys.redcap` and `surveys.xlsform` read and write other formats.
"""
from .answers import PageResult, validate_page, visible
from .definition import load_definition, load_json
from .dump import to_dict, to_json
from .messages import DefinitionError, Problem, message
from .model import Choice, ChoiceList, Condition, Item, Page, Question, Row, Survey, Text

__all__ = [
    "Choice", "ChoiceList", "Condition", "DefinitionError", "Item", "Page", "PageResult",
    "Problem", "Question", "Row", "Survey", "Text", "load_definition", "load_json", "message",
    "to_dict", "to_json", "validate_page", "visible",
]
