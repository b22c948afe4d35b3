"""The rows of the rule tables: a finding code (`checks/<check>.jsonl`) and a note code
(`rules/notes.jsonl`). Unknown fields are an error, so a typo in a table fails loudly."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workflow_prover.models import CheckId, Severity

NoteLevel = Literal["warning", "note"]
_CODE = r"^[A-Z][A-Z0-9_]+$"


class RuleRow(BaseModel):
    """One finding code, with every word said about it: its title and help (the SARIF rule),
    `short` (the "Also missing: ..." summary), `message` and `question` (Jinja2 templates of the
    report), and what `explain` and `docs/rules` say: what satisfies it and two examples, one
    that raises the code and one that does not (a test runs both)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=_CODE)
    severity: Severity
    title: str = Field(min_length=1)
    help: str = Field(min_length=1)
    short: str = Field(min_length=1)
    message: str = Field(min_length=1)
    question: str = Field(min_length=1)
    satisfies: str = Field(min_length=1)
    fails: str = Field(min_length=1)
    passes: str = Field(min_length=1)
    suppressible: bool = True


class Code(RuleRow):
    """A finding code with the check whose table holds it."""

    check: CheckId


class NoteCode(BaseModel):
    """A note about the document itself (a block that does not parse, a bad ignore marker)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=_CODE)
    level: NoteLevel
    title: str = Field(min_length=1)
    help: str = Field(min_length=1)
