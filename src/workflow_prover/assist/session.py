"""One analysis with an assisted reading: what a pool worker (or the command line) runs.

The rules read every turn; the readings stored with earlier turns are grounded again (no
request); then either the model's answer to this call is grounded too, or, when there is none
yet, the reading decides whether the model should be asked (`AssistOutcome.request`): in `auto`
mode when the rules' reading is uncertain (the new turn has sentences left unread, or no step
was found in a text that names a service), in `always` mode every time. The accepted items join
their turns' drafts, and the report is built from them exactly as from the rules' own reading.

`mode == "never"` is the rules' analysis itself, and so is any call with nothing to replay and
no answer: its report is the rules' report, byte for byte (`assist` is null).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from workflow_prover.assist.answer import (
    AnswerError,
    ParsedAnswer,
    parse_answer,
    parse_answer_object,
)
from workflow_prover.assist.ground import Grounding
from workflow_prover.assist.merge import merged_drafts
from workflow_prover.assist.note import with_note
from workflow_prover.assist.reading import AssistedReading
from workflow_prover.assist.request import DEFAULT_MAX_TOKENS, AssistRequest, build_request
from workflow_prover.assist.services import ServiceIndex
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.models import Acceptance, AssistInfo, AssistMode, Report

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer, SessionReading
    from workflow_prover.schemas import FileLoader

__all__ = ["AssistJob", "AssistOutcome", "ModelAnswer", "analyze_assisted"]

_MAX_MODEL_NAME = 100
_STEP_ROLES = frozenset(("api", "datastore"))


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """The model's answer: its text (asked live), or its decoded JSON (recorded)."""

    text: str | None = None
    data: Any = None
    model: str | None = None
    ms: int = 0


@dataclass(frozen=True, slots=True)
class AssistJob:
    """What the assisted analysis of one call needs besides the turns."""

    mode: AssistMode
    stored: tuple[dict[str, Any] | None, ...] = ()  # the earlier turns' readings, as stored
    can_ask: bool = False  # the client declared sampling: a request may be returned
    answer: ModelAnswer | None = None
    failure: str | None = None  # why the model gave no answer (the fallback's reason)
    digest: str | None = None  # the request `answer` answers (`AssistRequest.digest`)
    max_tokens: int = DEFAULT_MAX_TOKENS


@dataclass(frozen=True, slots=True)
class AssistOutcome:
    report: Report
    request: AssistRequest | None = None  # ask the model this, then analyse with its answer
    reading: AssistedReading | None = None  # the new turn's accepted items, to store with it


def analyze_assisted(
    analyzer: Analyzer,
    turns: Sequence[str],
    job: AssistJob,
    *,
    strict: bool = False,
    ignore: Iterable[str] = (),
    workflow: str | None = None,
    files: FileLoader | None = None,
    accept: Sequence[Acceptance] = (),
) -> AssistOutcome:
    if job.mode == "never":
        report = analyzer.analyze_turns(
            turns, strict=strict, ignore=ignore, workflow=workflow, files=files, accept=accept
        )
        return AssistOutcome(report)
    session = analyzer.read_session(turns, ignore=ignore, workflow=workflow, files=files)
    redacted = [r.draft.redaction.text for r in session.readings]
    grounding = Grounding.of([r.draft for r in session.readings], _index(analyzer))
    stored, notes = _stored(job.stored)
    parsed, failure = _answer(job, redacted)
    model = _model_name(analyzer, job, stored)
    reading = grounding.ground(stored, parsed, model)
    drafts = merged_drafts(grounding)
    request = None
    if parsed is None and failure is None and job.can_ask and _uncertain(job.mode, drafts, session):
        request = build_request(redacted, job.max_tokens)
    merged = replace(
        session,
        readings=tuple(replace(r, draft=d) for r, d in zip(session.readings, drafts, strict=True)),
    )
    report = analyzer.report_session(merged, strict=strict, accept=accept)
    if not stored and job.answer is None and failure is None:
        return AssistOutcome(report, request)  # not asked (yet): the rules' report
    info = AssistInfo(
        used=grounding.accepted > 0,
        mode=job.mode,
        model=model,
        accepted=grounding.accepted,
        rejected=grounding.rejected,
        reasons=[*notes, *([failure] if failure else []), *grounding.reasons],
        ms=job.answer.ms if job.answer is not None else 0,
    )
    report = with_note(report.model_copy(update={"assist": info}))
    kept = reading if reading is not None and reading.size else None
    return AssistOutcome(report, request, kept)


def _stored(
    readings: Sequence[dict[str, Any] | None],
) -> tuple[list[tuple[str, AssistedReading]], list[str]]:
    out: list[tuple[str, AssistedReading]] = []
    notes: list[str] = []
    for number, data in enumerate(readings, start=1):
        if not data:
            continue
        try:
            reading = AssistedReading.model_validate(data)
        except ValidationError:
            notes.append(f"the reading stored with turn {number} could not be read: not replayed")
            continue
        out.append((f"turn {number}", reading))
        notes.append(f"replayed the reading stored with turn {number} (no new request)")
    return out, notes


def _answer(job: AssistJob, redacted: Sequence[str]) -> tuple[ParsedAnswer | None, str | None]:
    """The parsed answer, or why there is none to use."""
    answer = job.answer
    if answer is None:
        return None, job.failure
    if job.digest is not None and job.digest != build_request(redacted, job.max_tokens).digest():
        return None, "the session changed while the model was answering: its answer was not used"
    try:
        if answer.text is not None:
            return parse_answer(answer.text), None
        return parse_answer_object(answer.data), None
    except AnswerError as exc:
        return None, f"the model's answer could not be read ({exc}): the rules' reading stands"


def _model_name(
    analyzer: Analyzer, job: AssistJob, stored: list[tuple[str, AssistedReading]]
) -> str | None:
    """The answer's model, redacted like everything the client sends (else the latest
    stored reading's)."""
    if job.answer is not None and job.answer.model:
        return analyzer.redact(job.answer.model[:_MAX_MODEL_NAME])
    return next((r.model for _, r in reversed(stored) if r.model), None)


def _uncertain(mode: AssistMode, drafts: Sequence[TurnDraft], session: SessionReading) -> bool:
    """Should the model be asked? Always in `always` mode; in `auto` mode when the new turn has
    sentences the rules left unread, or no step was found although the text names a system."""
    if mode == "always":
        return True
    if drafts[-1].unread:
        return True
    if any(d.steps for d in drafts) or any(
        doc.steps for r in session.readings for doc in r.structured.docs
    ):
        return False
    return any(
        m.info.role in _STEP_ROLES and not d.view.is_host(m)
        for d in drafts
        for m in d.view.services
    )


_INDEXES: weakref.WeakKeyDictionary[Analyzer, ServiceIndex] = weakref.WeakKeyDictionary()


def _index(analyzer: Analyzer) -> ServiceIndex:
    index = _INDEXES.get(analyzer)
    if index is None:
        index = ServiceIndex(analyzer.lexicons, analyzer.catalog)
        _INDEXES[analyzer] = index
    return index
