"""Recorded answers: a reading by any model, replayed through the same grounding and merge.

An answers file is JSON Lines, one answer per text:

    {"sha256": "<SHA-256 of the redacted text>", "answer": {...}, "model": "<optional>"}

`sha256` is `request.answer_key` of the redacted turns (of the one text, for a file); it is the
`sha256` that `workflow-prover assist-prompt` prints with the request. `answer` is the model's
JSON answer, or its raw text (a fenced block and all), read as a live answer is. With such a
file, `check --assist-answers` and `make eval ASSIST_ANSWERS=FILE` give the report the server
gives with a live answer (but `assist.ms`, which is 0 for a recorded one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workflow_prover.assist.session import AssistJob, ModelAnswer, analyze_assisted
from workflow_prover.models import AssistMode, Report

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer
    from workflow_prover.schemas import FileLoader

__all__ = ["AnswerBook", "AnswersFileError", "replay_report"]


class AnswersFileError(ValueError):
    """A line of an answers file is not a recorded answer (the message names the line)."""


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    answer: dict[str, Any] | str
    model: str | None = Field(default=None, max_length=200)


class AnswerBook:
    """Recorded answers by the key of the text they answer."""

    def __init__(self, lines: Iterable[_Line] = ()) -> None:
        self._lines = {line.sha256: line for line in lines}

    def __len__(self) -> int:
        return len(self._lines)

    @classmethod
    def load(cls, path: str | Path) -> AnswerBook:
        lines: list[_Line] = []
        text = Path(path).read_text(encoding="utf-8")
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                lines.append(_Line.model_validate(json.loads(raw)))
            except (ValueError, ValidationError):
                raise AnswersFileError(
                    f"line {number}: not a recorded answer (expected "
                    '{"sha256": "<64 hex digits>", "answer": {...}, "model": "..."})'
                ) from None
        return cls(lines)

    def answer(self, key: str) -> ModelAnswer | None:
        line = self._lines.get(key)
        if line is None:
            return None
        if isinstance(line.answer, str):
            return ModelAnswer(text=line.answer, model=line.model)
        return ModelAnswer(data=line.answer, model=line.model)


def replay_report(
    analyzer: Analyzer,
    turns: Sequence[str],
    book: AnswerBook,
    mode: AssistMode = "auto",
    *,
    strict: bool = False,
    ignore: Iterable[str] = (),
    workflow: str | None = None,
    files: FileLoader | None = None,
) -> Report:
    """The report of these turns, the recorded answer standing in for the model's: asked when
    the mode says so, as the server would ask; a text without one falls back, with a reason."""
    options: dict[str, Any] = {
        "strict": strict,
        "ignore": list(ignore),
        "workflow": workflow,
        "files": files,
    }
    first = analyze_assisted(analyzer, turns, AssistJob(mode, can_ask=True), **options)
    if first.request is None:
        return first.report
    answer = book.answer(first.request.key)
    if answer is None:
        failure = f"no recorded answer for this text (sha256 {first.request.key[:12]}…)"
        job = AssistJob(mode, failure=failure)
    else:
        job = AssistJob(mode, answer=answer)
    return analyze_assisted(analyzer, turns, job, **options).report
