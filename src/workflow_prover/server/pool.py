"""Where the server's analyses run: off the event loop, a bounded number at once, each within a
time budget (hardening fault 3).

An analysis is CPU-bound and, on hostile text, can be slow (seconds to minutes inside spaCy's
tokenizer). Run on the event loop it would stall every other client; run in a plain thread it
could not be stopped. So a call hands its `Review` to an `AnalysisPool`:

- the pool has a fixed number of *runners*, one analysis each at a time; a call waits for a
  free one, and no more than `max_waiting` calls wait (then `PoolBusy`, at once);
- the whole call, waiting included, has `budget` seconds; past it the call ends with
  `AnalysisTimeout` (or `PoolBusy` if it never got a runner) and the runner is interrupted;
- `ProcessRunner` (what `serve` uses) runs the analyzer in a worker process, so an interrupt
  kills it and a fresh worker takes its place: one slow analysis costs one worker for at most
  the budget, and the event loop and the other workers never wait for it;
- `ThreadRunner` runs an in-process analyzer in a thread (tests, embedding): it cannot be
  interrupted, so a slow analysis keeps its runner until it ends, but the call still returns at
  the budget and the pool still bounds how many run at once.

A runner redacts the new text and analyses the session in one go; only the redacted text and the
report's JSON come back, so the parent never handles the raw text after it is sent. A job with
an `assist` part runs the assisted analysis (`workflow_prover.assist.session`) instead: it
grounds the readings stored with the earlier turns and the model's answer, if one came, and
says whether the model should be asked (`Reviewed.request`), and which reading to store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Protocol, cast

import anyio

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer
    from workflow_prover.assist.request import AssistRequest
    from workflow_prover.assist.session import AssistJob
    from workflow_prover.models import Acceptance

logger = logging.getLogger("workflow_prover.server")

__all__ = [
    "AnalysisFailed",
    "AnalysisPool",
    "AnalysisTimeout",
    "PoolBusy",
    "ProcessRunner",
    "Review",
    "Reviewed",
    "ThreadRunner",
]


class ReviewAnalyzer(Protocol):
    """The part of `workflow_prover.analyzer.Analyzer` a runner uses."""

    def analyze_turns(self, turns: Sequence[str], *, strict: bool = False) -> Any: ...

    def redact(self, text: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Review:
    """One call's work: the session's earlier (stored, redacted) turns and the new raw text."""

    earlier: tuple[str, ...]
    text: str
    strict: bool
    assist: AssistJob | None = None  # None: the rules' reading only
    accept: tuple[Acceptance, ...] = ()  # risks the user accepts (the tool's `accept`)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The new turn's redacted text and the session's report as JSON; with an assisted job,
    the request to send the client's model (when it should be asked) and the new turn's
    accepted assisted reading (to store with it)."""

    text: str
    report: dict[str, Any]
    request: AssistRequest | None = None
    reading: dict[str, Any] | None = None


class PoolError(Exception):
    """Base class: the analysis did not produce a report."""


class PoolBusy(PoolError):
    """Every runner is taken and the waiting line is full (or the budget passed in it)."""


class AnalysisTimeout(PoolError):
    """The analysis ran past the call's budget and was stopped."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"analysis over its {budget:g} s budget")
        self.budget = budget


class AnalysisFailed(PoolError):
    """The analyzer raised (`kind`: the exception's type name; its text may quote the input)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate (JSON can carry them: "\\ud800") replaced by U+FFFD,
    one character for one, so offsets stay; no encoder accepts a lone surrogate."""
    return _SURROGATE.sub("\ufffd", text)


def review(analyzer: ReviewAnalyzer, job: Review) -> Reviewed:
    """What every runner does with a job."""
    text = analyzer.redact(without_surrogates(job.text))
    if job.assist is None:
        accept = {"accept": job.accept} if job.accept else {}  # analyzers that take none work
        report = analyzer.analyze_turns([*job.earlier, text], strict=job.strict, **accept)
        return Reviewed(text, report.model_dump(mode="json"))
    from workflow_prover.assist.session import analyze_assisted

    turns = [*job.earlier, text]
    outcome = analyze_assisted(
        cast("Analyzer", analyzer), turns, job.assist, strict=job.strict, accept=job.accept
    )
    reading = outcome.reading.to_json() if outcome.reading is not None else None
    return Reviewed(text, outcome.report.model_dump(mode="json"), outcome.request, reading)


class Runner(Protocol):
    """Runs one job at a time, from one pool thread."""

    def wait_ready(self) -> None:
        """Block until the runner can take a job."""
        ...

    def run(self, job: Review) -> Reviewed:
        """The job's result; `AnalysisFailed` when the analyzer raised or the runner died."""
        ...

    def interrupt(self) -> None:
        """Stop the job that is running now, if this runner can (called from another thread)."""
        ...

    def close(self) -> None: ...


# --- runners ----------------------------------------------------------------------------------


class ThreadRunner:
    """An in-process analyzer, run in the pool's thread. It cannot be interrupted."""

    def __init__(self, analyzer: ReviewAnalyzer) -> None:
        self._analyzer = analyzer

    def wait_ready(self) -> None:
        pass

    def run(self, job: Review) -> Reviewed:
        try:
            return review(self._analyzer, job)
        except Exception as exc:
            raise AnalysisFailed(type(exc).__name__) from None

    def interrupt(self) -> None:
        pass

    def close(self) -> None:
        pass


AnalyzerFactory = Callable[[], ReviewAnalyzer]


class ProcessRunner:
    """An analyzer in a worker process (spawned, so it shares no threads or locks with the
    server); `interrupt` kills the worker and the next job starts a fresh one."""

    def __init__(self, factory: AnalyzerFactory, *, log_level: int = logging.WARNING) -> None:
        self._factory = factory
        self._log_level = log_level
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False
        self._interrupted = False
        self.start()

    def start(self) -> None:
        """Start a worker (without waiting for it to load its analyzer)."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=True)
        process = context.Process(
            target=_worker_main,
            args=(child, self._factory, self._log_level, os.getpid()),
            name="workflow-prover-analysis",
            daemon=True,
        )
        process.start()
        child.close()
        with self._lock:
            self._process, self._conn, self._ready = process, parent, False
            self._interrupted = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def wait_ready(self) -> None:
        """Block until the worker has loaded its analyzer (`AnalysisFailed` if it cannot)."""
        if self._interrupted or self._process is None or not self._process.is_alive():
            self._restart()
        conn = self._conn
        assert conn is not None
        try:
            if not self._ready:
                self._expect(conn, "ready")
                self._ready = True
        except (EOFError, OSError):
            self._restart()
            raise AnalysisFailed("WorkerStopped") from None

    def run(self, job: Review) -> Reviewed:
        self.wait_ready()
        conn = self._conn
        assert conn is not None
        try:
            conn.send(job)
            return Reviewed(*self._expect(conn, "ok"))
        except (EOFError, OSError):
            self._restart()  # killed (interrupt) or crashed: the next job gets a fresh worker
            raise AnalysisFailed("WorkerStopped") from None

    @staticmethod
    def _expect(conn: Connection, kind: str) -> Any:
        message = conn.recv()
        if message[0] == kind:
            return message[1]
        raise AnalysisFailed(str(message[1]))

    def _restart(self) -> None:
        self._stop()
        self.start()

    def interrupt(self) -> None:
        with self._lock:
            process = self._process
            self._interrupted = True
        if process is not None and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)

    def _stop(self) -> None:
        with self._lock:
            process, conn, self._process, self._conn = self._process, self._conn, None, None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
            with contextlib.suppress(ValueError):
                process.close()

    def close(self) -> None:
        self._stop()


def _die_with_parent(parent: int) -> None:
    """On Linux, the kernel kills the worker when the server dies, even mid-analysis (without
    this, the worker notices when it next reads its pipe). The signal is tied to the server's
    thread that started the worker: the pool's threads live as long as the pool."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the server died before the call above
        os._exit(0)


def _worker_main(conn: Connection, factory: AnalyzerFactory, log_level: int, parent: int) -> None:
    """A worker process: build the analyzer, then answer jobs until the pipe closes."""
    # Under stdio, fd 1 is the protocol: nothing the worker prints may reach it. Ctrl-C reaches
    # the whole process group; the server, not the worker, handles it.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    try:
        analyzer = factory()
    except Exception as exc:
        conn.send(("failed", f"analyzer did not load: {type(exc).__name__}"))
        return
    _worker_logging(analyzer.redact, log_level)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            result = review(analyzer, job)
            reply: tuple[str, Any] = (
                "ok",
                (result.text, result.report, result.request, result.reading),
            )
        except Exception as exc:  # its text may quote the input: send the type only
            reply = ("error", type(exc).__name__)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _worker_logging(redact: Callable[[str], str], level: int) -> None:
    """The worker's log records go to stderr, redacted, like the server's."""
    from workflow_prover.server.logs import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(level, logging.INFO))  # as `serve`: only the Prover's own logs go lower
    logging.getLogger("workflow_prover").setLevel(level)


# --- the pool ---------------------------------------------------------------------------------


class _Slot:
    """Which runner is running one call's job, so a late interrupt hits that job only."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runner: Runner | None = None

    def interrupt(self) -> None:
        with self.lock:
            if self.runner is not None:
                self.runner.interrupt()


class AnalysisPool:
    """A fixed set of runners behind an async `review`, with a waiting line and a budget."""

    def __init__(self, runners: Sequence[Runner], *, budget: float, max_waiting: int) -> None:
        if not runners:
            raise ValueError("an analysis pool needs at least one runner")
        if budget <= 0:
            raise ValueError("the analysis budget must be positive")
        self.budget = budget
        self.workers = len(runners)
        self.max_waiting = max_waiting
        self._runners = list(runners)
        self._idle: queue.SimpleQueue[Runner] = queue.SimpleQueue()
        for runner in runners:
            self._idle.put(runner)
        self._executor = ThreadPoolExecutor(len(runners), thread_name_prefix="prover-analysis")
        self._pending = 0
        self._pending_lock = threading.Lock()

    @classmethod
    def in_threads(
        cls, analyzer: ReviewAnalyzer, *, workers: int, budget: float, max_waiting: int
    ) -> AnalysisPool:
        return cls(
            [ThreadRunner(analyzer) for _ in range(workers)],
            budget=budget,
            max_waiting=max_waiting,
        )

    @classmethod
    def in_processes(
        cls,
        factory: AnalyzerFactory,
        *,
        workers: int,
        budget: float,
        max_waiting: int,
        log_level: int = logging.WARNING,
    ) -> AnalysisPool:
        return cls(
            [ProcessRunner(factory, log_level=log_level) for _ in range(workers)],
            budget=budget,
            max_waiting=max_waiting,
        )

    async def review(self, job: Review) -> Reviewed:
        """Run `job` on a free runner within the budget (raises a `PoolError` otherwise)."""
        with self._pending_lock:
            if self._pending >= self.workers + self.max_waiting:
                raise PoolBusy("every runner is busy and the waiting line is full")
            self._pending += 1
        slot = _Slot()
        future: Future[Reviewed] = self._executor.submit(self._run, job, slot)
        future.add_done_callback(self._finished)
        finished = False
        try:
            with anyio.move_on_after(self.budget):
                result = await asyncio.wrap_future(future)
                finished = True
                return result
        finally:
            if not finished:  # the budget ran out, or the call was cancelled
                future.cancel()  # a job still waiting never starts
                slot.interrupt()
        if future.cancelled():
            raise PoolBusy(f"no runner was free within {self.budget:g} s")
        if future.done() and future.exception() is None:
            return future.result()  # it finished as the budget ran out
        raise AnalysisTimeout(self.budget)

    def wait_ready(self) -> None:
        """Block until every runner can take a job (workers load their analyzers in parallel,
        so this takes about as long as one load)."""
        for runner in self._runners:
            runner.wait_ready()

    def _finished(self, _: Future[Reviewed]) -> None:
        with self._pending_lock:
            self._pending -= 1

    def _run(self, job: Review, slot: _Slot) -> Reviewed:
        runner = self._idle.get()
        try:
            with slot.lock:
                slot.runner = runner
            return runner.run(job)
        finally:
            with slot.lock:
                slot.runner = None
            self._back_to_idle(runner)

    def _back_to_idle(self, runner: Runner) -> None:
        """A runner is idle again once it can take a job: a worker that was killed or died is
        replaced here, in the pool's thread, so its start-up (a few seconds) never counts
        against a call's budget, and no call's interrupt can hit a worker while it loads."""
        try:
            runner.wait_ready()
        except AnalysisFailed as exc:
            logger.error("an analysis worker could not start: %s", exc.kind)
        self._idle.put(runner)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        for runner in self._runners:
            runner.close()
