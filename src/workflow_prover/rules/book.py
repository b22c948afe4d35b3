"""Load the rule tables: every finding code from its check's table, every note code.

The tables are package data (`checks/<check>.jsonl`, `rules/notes.jsonl`), read on first use
and kept: they never change while the process runs, and reading them at import time would make
`import workflow_prover.codes` touch the disk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from workflow_prover.models import CheckId
from workflow_prover.rules.model import Code, NoteCode, RuleRow

RowT = TypeVar("RowT", bound=BaseModel)


class RuleTableError(ValueError):
    """A rule table does not validate (names the file and the line)."""


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every finding code (in check order, then table order) and every note code."""

    codes: Mapping[str, Code]
    notes: Mapping[str, NoteCode]


def parse_rows(name: str, text: str, model: type[RowT]) -> Iterator[RowT]:
    """The rows of one JSONL table; blank lines and `//` comments are skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            yield model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = " ".join(str(exc).splitlines()[:3])
            raise RuleTableError(f"{name}:{number}: {first}") from exc


def _read(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text("utf-8")


def _unique(name: str, codes: list[str], seen: set[str]) -> None:
    for code in codes:
        if code in seen:
            raise RuleTableError(f"{name}: duplicate code {code}")
        seen.add(code)


def load_rule_book() -> RuleBook:
    """Read and validate every table (each call reads them again; `rule_book` keeps one)."""
    codes: dict[str, Code] = {}
    seen: set[str] = set()
    for check in CheckId:
        name = f"{check.value}.jsonl"
        rows = list(parse_rows(name, _read("workflow_prover.checks", name), RuleRow))
        _unique(name, [r.code for r in rows], seen)
        codes.update({r.code: Code(check=check, **r.model_dump()) for r in rows})
    text = _read("workflow_prover.rules", "notes.jsonl")
    notes = list(parse_rows("notes.jsonl", text, NoteCode))
    _unique("notes.jsonl", [n.code for n in notes], seen)
    return RuleBook(codes=codes, notes={n.code: n for n in notes})


@cache
def rule_book() -> RuleBook:
    """The rule tables, read once per process (they are package data and never change)."""
    return load_rule_book()
