"""What a definition holds, counted for a person about to load it: pages, items, questions,
conditions and the career fields it reads and writes."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Item, Survey


@dataclass
class Summary:
    pages: int = 0
    items: int = 0  # every element: questions, notes, matrices, blocks and their items
    questions: int = 0  # answerable variables (each matrix row counts)
    conditions: int = 0  # relevant (pages and items) and constraint conditions
    prefill: list[str] = field(default_factory=list)
    writeback: list[str] = field(default_factory=list)


def _walk(items: tuple[Item, ...]):
    for item in items:
        yield item
        yield from _walk(item.items)


def summarise(definition: Survey) -> Summary:
    """Count what a definition holds."""
    summary = Summary(pages=len(definition.pages),
                      questions=sum(1 for _ in definition.questions()))
    for page in definition.pages:
        summary.conditions += page.relevant is not None
        for item in _walk(page.items):
            summary.items += 1
            summary.conditions += (item.relevant is not None) + (item.constraint is not None)
            if item.prefill:
                summary.prefill.append(item.prefill)
            if item.writeback:
                summary.writeback.append(item.writeback)
    return summary
