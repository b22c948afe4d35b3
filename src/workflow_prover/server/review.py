"""One call of `validate_workflow_orchestration`: read the session, analyse, store the turn.

The analysis runs in the `AnalysisPool` (off the event loop, bounded, within a time budget) and
the store is read and written in worker threads, so a call never blocks the event loop. Every
failure the client can act on is a `ToolError` of one line:

- the pool is busy, the analysis ran past its budget, or the analyzer failed: nothing stored;
- the session store is full, read-only or otherwise unavailable: a call that continues a
  session fails (its turn cannot be kept, and answering would pretend it was); a call without
  `session_id` still answers, storing its turn best-effort: when the store cannot take it, the
  report comes back with an empty `session_id` and a note that it cannot be continued.

With the assisted reading (`AssistCall`, issue 10) a call may take three steps: the rules'
analysis (with the readings stored with earlier turns), which says whether the client's model
should be asked; the request (`assist.sampling`, within its time bound, or a round trip through
the client on newer protocols, in which case nothing is stored until the client comes back with
the answer); and the analysis with the answer. Whatever happens to the request, the call answers
with a report: a failure is a reason in its `assist`, never a tool error.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent

from workflow_prover.assist.request import DEFAULT_MAX_TOKENS
from workflow_prover.assist.sampling import Sampler
from workflow_prover.assist.session import AssistJob
from workflow_prover.codes import UNSUPPRESSIBLE
from workflow_prover.models import Acceptance, AssistMode
from workflow_prover.server.answer import AnswerText
from workflow_prover.server.changes import changes
from workflow_prover.server.pool import (
    AnalysisFailed,
    AnalysisPool,
    AnalysisTimeout,
    PoolBusy,
    PoolError,
    Review,
    Reviewed,
)
from workflow_prover.server.questions import Answers
from workflow_prover.server.risks import accepted, with_accepted
from workflow_prover.server.store import (
    SessionConflict,
    SessionNotFound,
    SessionStore,
    StoredSession,
    StoreUnavailable,
)

logger = logging.getLogger("workflow_prover.server")

TOOL_NAME = "validate_workflow_orchestration"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
_APPEND_ATTEMPTS = 5
_STORE_REASONS = {
    "full": "full (no space left for new turns)",
    "read-only": "read-only",
    "busy": "locked by another process",
    "damaged": "damaged",
}


@dataclass(frozen=True, slots=True)
class Limits:
    max_turns: int
    max_session_chars: int


# --- messages ---------------------------------------------------------------------------------


def unknown_session(shown: str | None) -> ToolError:
    """`shown`: the client's session_id as it may be echoed (redacted), or None not to echo it."""
    which = f" '{shown}'" if shown is not None else " (not an id this server issues)"
    return ToolError(
        f"Unknown or expired session_id{which}: call again without session_id to "
        "start a new review, and send the whole design in description."
    )


def store_phrase(exc: StoreUnavailable) -> str:
    return _STORE_REASONS.get(exc.reason, "unavailable")


def store_error(shown: str, exc: StoreUnavailable) -> ToolError:
    return ToolError(
        f"Session '{shown}' cannot be continued now: the server's session store is "
        f"{store_phrase(exc)}, so nothing was stored. Retry later, or call without "
        "session_id and send the whole design to have it reviewed without the session."
    )


def pool_error(exc: PoolError, pool: AnalysisPool) -> ToolError:
    if isinstance(exc, AnalysisTimeout):
        return ToolError(
            f"The analysis took longer than the server's limit of {exc.budget:g} s and was "
            "stopped; nothing was stored. Send a shorter, plainer description (long runs of "
            "punctuation or brackets are slow to read)."
        )
    if isinstance(exc, PoolBusy):
        return ToolError(
            f"The server is busy ({pool.workers} analyses running, more waiting); nothing "
            "was stored. Retry this call in a few seconds."
        )
    kind = exc.kind if isinstance(exc, AnalysisFailed) else type(exc).__name__
    return ToolError(
        f"The analysis failed (internal error: {kind}); nothing was stored. Retry once; if it "
        "fails again, please report it to the server's operator."
    )


def unstored_note(exc: StoreUnavailable) -> str:
    return (
        f"This review was not stored: the server's session store is {store_phrase(exc)}. It "
        f"cannot be continued; send the whole design again in the next call to {TOOL_NAME}."
    )


# What the structured content has besides the report: where the review stands and this call's
# answer (`result`).
SESSION_FIELDS = ("session_id", "turn", "changes", "answer", "already_reviewed", "accepted")


def session_note(session_id: str, number: int) -> str:
    return (
        f"session_id: {session_id} (turn {number}). To continue this review, call "
        f"{TOOL_NAME} again with this session_id and only what changed."
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """What one call answers besides the report: what changed, an answer to a question, a
    resend of turn `resend`."""

    changes: dict[str, Any] | None = None
    answer: tuple[str, ...] = ()
    resend: int | None = None
    question_only: bool = False  # the turn only asked: the design is as it was


def result(
    payload: dict[str, Any],
    session_id: str,
    number: int,
    note: str | None,
    text: AnswerText,
    extra: Answer | None = None,
) -> CallToolResult:
    """The call's result: the whole answer as text (`answer.AnswerText`) and as structured
    content (the report, `session_id`, `turn`, `changes`, `answer`)."""
    extra = extra or Answer()
    note = note if note is not None else session_note(session_id, number)
    shown = text.render(
        payload,
        note,
        changes=extra.changes,
        answer=list(extra.answer),
        resend=extra.resend,
        question_only=extra.question_only,
    )
    structured = {
        "session_id": session_id,
        "turn": number,
        **payload,
        "changes": extra.changes,
        "answer": list(extra.answer),
        "already_reviewed": extra.resend,
    }
    return CallToolResult(
        content=[TextContent(type="text", text=shown)], structured_content=structured
    )


# --- the call ---------------------------------------------------------------------------------


class SessionLocks:
    """One lock per session id, so that concurrent calls on one session take turns in this
    process (the store's turn-number check still guards against other processes)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock


@dataclass(frozen=True, slots=True)
class AssistCall:
    """How this call may use the client's model: the mode (the client's, within the server's
    ceiling), and a sampler when the client declared sampling."""

    mode: AssistMode
    sampler: Sampler | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS


@dataclass(frozen=True, slots=True)
class _Turn:
    """Where the new turn goes: the session's earlier turns (and their assisted readings), its
    id and the turn's number."""

    earlier: tuple[str, ...]
    session_id: str
    number: int
    readings: tuple[dict[str, Any] | None, ...] = ()
    previous: dict[str, Any] | None = None  # the last stored turn's report


@dataclass(frozen=True, slots=True)
class _Call:
    """One call's arguments, as the reviewer uses them."""

    text: str
    strict: bool
    assist: AssistCall
    accept: tuple[Acceptance, ...]
    started: float


def _resent(turn: _Turn, reviewed: Reviewed, accept: tuple[Acceptance, ...]) -> bool:
    """The last turn's text again, with nothing new to accept and the same `strict`."""
    same = bool(turn.earlier) and reviewed.text.strip() == turn.earlier[-1].strip()
    strict = reviewed.report.get("strict") == (turn.previous or {}).get("strict")
    return same and strict and not accept


class Reviewer:
    """Runs calls of the tool against one store and one analysis pool."""

    def __init__(
        self,
        store: SessionStore,
        pool: AnalysisPool,
        limits: Limits,
        shown: Callable[[str], str],
        redact: Callable[[str], str] | None = None,
    ) -> None:
        """`shown`: client input as an error may repeat it; `redact`: the secret scanner, for
        the text a call stores and echoes besides its description (an accepted risk's reason)."""
        self._redact = redact or shown
        self._store = store
        self._pool = pool
        self._limits = limits
        self._shown = shown
        self._locks = SessionLocks()
        self._text = AnswerText()
        self._answers = Answers.load()

    async def __call__(
        self,
        text: str,
        session_id: str | None,
        strict: bool,
        assist: AssistCall | None = None,
        accept: tuple[Acceptance, ...] = (),
    ) -> CallToolResult | InputRequiredResult:
        started = time.perf_counter()
        assist = assist or AssistCall("never")
        if any(a.code in UNSUPPRESSIBLE for a in accept):
            raise ToolError(
                "'accept' cannot accept SECRET_IN_TEXT: remove the secret from the design and "
                "revoke or rotate it."
            )
        if any(a.step is None and a.service is None for a in accept):
            raise ToolError(
                "Each 'accept' item names the step (its number) or the service it accepts the "
                "risk for, with the code and the reason."
            )
        if session_id is not None and not SESSION_ID.fullmatch(session_id):
            raise unknown_session(None)
        accept = tuple(self._redacted(a) for a in accept)
        call = _Call(text, strict, assist, accept, started)
        if session_id is None:
            return await self._review(call, None)
        async with self._locks(session_id):
            return await self._review(call, session_id)

    async def _review(self, call: _Call, sid: str | None) -> CallToolResult | InputRequiredResult:
        for _ in range(_APPEND_ATTEMPTS):
            turn = await self._next_turn(sid, len(call.text))
            accept = accepted(turn.previous, call.accept)
            if (
                turn.previous is not None
                and not call.accept
                and self._answers.is_question(call.text)
            ):
                return self._question(turn, call.text)
            reviewed = await self._analyse(turn, call.text, call.strict, call.assist, accept)
            if isinstance(reviewed, InputRequiredResult):
                return reviewed  # the client's model answers first; nothing is stored yet
            if turn.previous is not None and _resent(turn, reviewed, call.accept):
                return self._resend(turn)
            reviewed = with_accepted(reviewed, accept)
            try:
                if not await self._store_turn(
                    turn, reviewed, call.strict, continuing=sid is not None
                ):
                    continue  # another call appended a turn meanwhile: re-read and re-analyse
            except StoreUnavailable as exc:  # a new review: answer it, unstored
                self._log(turn, reviewed, call.started, stored=False)
                return result(reviewed.report, "", 1, unstored_note(exc), self._text)
            self._log(turn, reviewed, call.started, stored=True)
            asked = self._answers.asked(call.text)  # a design turn that also asks
            moved = Answer(
                changes=changes(turn.previous, reviewed.report, turn.number, reviewed.text),
                answer=tuple(
                    self._answers.answer(asked, reviewed.report, (*turn.earlier, reviewed.text))
                )
                if asked
                else (),
            )
            return result(reviewed.report, turn.session_id, turn.number, None, self._text, moved)
        shown = self._shown(sid or "")
        raise ToolError(f"Session '{shown}' is being updated by other calls right now: retry.")

    def _redacted(self, risk: Acceptance) -> Acceptance:
        """The risk as stored and shown: its reason and service with any secret redacted."""
        service = self._redact(risk.service) if risk.service is not None else None
        return risk.model_copy(update={"reason": self._redact(risk.reason), "service": service})

    def _question(self, turn: _Turn, text: str) -> CallToolResult:
        """A turn that only asks: answered from the last turn's report, and not stored."""
        report = turn.previous or {}
        lines = tuple(self._answers.answer(text, report, turn.earlier))
        number = turn.number - 1
        note = (
            f"session_id: {turn.session_id} (still turn {number}: a question is answered, not "
            f"stored as a design change). Call {TOOL_NAME} again with this session_id and "
            "what changed."
        )
        asked = Answer(answer=lines, question_only=True)
        return result(report, turn.session_id, number, note, self._text, asked)

    def _resend(self, turn: _Turn) -> CallToolResult:
        """The same text as the last turn: already reviewed, not stored again."""
        number = turn.number - 1
        report = turn.previous or {}
        return result(report, turn.session_id, number, None, self._text, Answer(resend=number))

    async def _analyse(
        self,
        turn: _Turn,
        text: str,
        strict: bool,
        assist: AssistCall,
        accept: tuple[Acceptance, ...] = (),
    ) -> Reviewed | InputRequiredResult:
        """The rules' analysis, or the assisted one: asking the model when it says so."""
        sampler, stored = assist.sampler, turn.readings
        if assist.mode == "never" or (sampler is None and not any(stored)):
            return await self._run(Review(turn.earlier, text, strict, accept=accept))

        def job(**fields: Any) -> Review:
            part = AssistJob(assist.mode, stored, max_tokens=assist.max_tokens, **fields)
            return Review(turn.earlier, text, strict, part, accept)

        answered = sampler.answered() if sampler is not None else None
        if answered is not None:  # the round that brings the model's answer
            return await self._run(
                job(answer=answered.answer, failure=answered.failure, digest=answered.digest)
            )
        first = await self._run(job(can_ask=sampler is not None))
        if first.request is None or sampler is None:
            return first
        asked = await sampler.ask(first.request)
        if asked.pending is not None:
            return asked.pending
        return await self._run(job(answer=asked.answer, failure=asked.failure))

    async def _run(self, job: Review) -> Reviewed:
        try:
            return await self._pool.review(job)
        except PoolError as exc:
            logger.warning("review not answered: %s", exc)
            raise pool_error(exc, self._pool) from None

    async def _next_turn(self, sid: str | None, chars: int) -> _Turn:
        if sid is None:
            return _Turn((), secrets.token_urlsafe(18), 1)
        session = await self._read(sid)
        if len(session.turns) >= self._limits.max_turns:
            raise ToolError(
                f"Session '{self._shown(sid)}' has reached the limit of "
                f"{self._limits.max_turns} turns: start a new review without session_id and "
                "send the whole design, consolidated, in one description."
            )
        if session.text_chars + chars > self._limits.max_session_chars:
            raise ToolError(
                f"Session '{self._shown(sid)}' would exceed "
                f"{self._limits.max_session_chars:,} characters of text: start a new review "
                "without session_id and send the whole design, consolidated, in one "
                "description."
            )
        return _Turn(
            tuple(t.text for t in session.turns),
            sid,
            len(session.turns) + 1,
            tuple(t.assist for t in session.turns),
            session.latest.report if session.latest else None,
        )

    async def _read(self, sid: str) -> StoredSession:
        try:
            session = await anyio.to_thread.run_sync(self._store.get, sid)
        except StoreUnavailable as exc:
            logger.warning("%s: cannot read a session", exc)
            raise store_error(self._shown(sid), exc) from None
        if session is None:
            raise unknown_session(self._shown(sid))
        return session

    async def _store_turn(
        self, turn: _Turn, reviewed: Reviewed, strict: bool, *, continuing: bool
    ) -> bool:
        """True: stored; False: a conflict (retry). Raises `StoreUnavailable` for a new review
        the store cannot take (the call answers without it), a `ToolError` otherwise."""

        def append() -> None:
            self._store.append_turn(
                turn.session_id,
                turn.number,
                reviewed.text,
                strict=strict,
                verdict=str(reviewed.report["verdict"]),
                report=reviewed.report,
                assist=reviewed.reading,
            )

        try:
            await anyio.to_thread.run_sync(append)
        except SessionConflict:
            return False
        except SessionNotFound:
            raise unknown_session(self._shown(turn.session_id)) from None
        except StoreUnavailable as exc:
            logger.warning("%s: %s", exc, "turn refused" if continuing else "review not stored")
            if continuing:
                raise store_error(self._shown(turn.session_id), exc) from None
            raise
        return True

    def _log(self, turn: _Turn, reviewed: Reviewed, started: float, stored: bool) -> None:
        report: dict[str, Any] = reviewed.report
        blockers = sum(
            1
            for f in report["findings"]
            if f["severity"] == "blocker" and not f.get("suppressed", False)
        )
        assisted = report.get("assist")
        logger.info(
            "review session=%s… turn=%d chars=%d verdict=%s blockers=%d redactions=%d "
            "assist=%s %.0fms%s",
            turn.session_id[:6],
            turn.number,
            len(reviewed.text),
            report["verdict"],
            blockers,
            report["redactions"],
            "-" if not assisted else f"{assisted['accepted']}/{assisted['rejected']}",
            (time.perf_counter() - started) * 1000,
            "" if stored else " (not stored)",
        )
        logger.debug(
            "review session=%s… turn=%d text (redacted): %r",
            turn.session_id[:6],
            turn.number,
            reviewed.text[:2000],
        )
