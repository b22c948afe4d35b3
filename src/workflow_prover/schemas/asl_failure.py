"""Where a state's failures go: its `Retry`, its `Catch`, and a `Choice` on its outcome.

- `Retry`: every retrier is a retry; `BackoffRate` above 1 (the default is 2.0) is exponential,
  1 is a fixed interval; `MaxAttempts` (default 3) bounds it, `0` means no retry;
  `JitterStrategy: FULL` is jitter. All the retriers of a state read as one statement.
- `Catch`: where its `Next` leads. A path that stores the failed input (an SQS send, a table or
  bucket write, a state named for a DLQ or failed items) is a terminal path, also when the store
  is where the path rejoins the workflow (the error, kept by `ResultPath`, is recorded with the
  item); compensating tasks (`Cancel...`, `Refund...`) are a compensation; a path that only
  reaches `Fail` is try/catch (not terminal); a path back to the failing state is a retry loop
  (immediate, or at a Wait state's interval, and unbounded: "catch it and call it again");
  one that reaches `Succeed` or rejoins the workflow without storing anything swallows.
- A `Choice` that tests the outcome of the tasks before it (`asl_graph.failure_branches`):
  a notification on a failure branch is alerting, a state that stores the failure there a
  terminal path. A branch that only ends in `Fail` handles nothing (the run just fails).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workflow_prover.models import ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.asl_calls import Call, integration
from workflow_prover.schemas.asl_graph import States, reach
from workflow_prover.schemas.model import Collector

K = ClaimKind
Judge = Callable[[Call, str], bool]  # (the call of a failure-path task, its name) -> yes/no


@dataclass
class _Path:
    """What the states on a failure path do."""

    persists: bool = False
    compensates: bool = False
    alerts: bool = False
    loops: bool = False  # it leads back to the failing state
    wait: float | None = None  # a Wait state on the way back
    ends: frozenset[str] = frozenset()


class FailurePaths:
    """Reads Retry, Catch and outcome Choices into claims; `persists`/`alerts` judge a task."""

    def __init__(self, collector: Collector, persists: Judge, alerts: Judge) -> None:
        self.c = collector
        self.persists = persists
        self.alerts = alerts

    def retrier(
        self, retrier: dict[str, object], at: str, scope: tuple[str, ...], group: str
    ) -> None:
        attempts = _number(retrier.get("MaxAttempts"), 3.0)
        if attempts <= 0:
            return  # MaxAttempts 0: these errors are not retried
        self.c.claim(K.RETRY, at, "schema.asl.retry", scope, group=group, value=attempts)
        rate = _number(retrier.get("BackoffRate"), 2.0)
        rate_at = f"{at}/BackoffRate" if "BackoffRate" in retrier else at
        if rate > 1:
            explicit = "BackoffRate" in retrier
            rule = "schema.asl.retry.backoff" if explicit else "schema.asl.retry.default_backoff"
            self.c.claim(K.BACKOFF_EXPONENTIAL, rate_at, rule, scope, group=group, value=rate)
        else:
            interval = _number(retrier.get("IntervalSeconds"), 1.0)
            rule = "schema.asl.retry.fixed"
            self.c.claim(K.RETRY_FIXED, rate_at, rule, scope, group=group, value=interval)
        attempts_at = f"{at}/MaxAttempts" if "MaxAttempts" in retrier else at
        rule = "schema.asl.retry.max_attempts"
        self.c.claim(K.MAX_ATTEMPTS, attempts_at, rule, scope, group=group, value=attempts)
        if str(retrier.get("JitterStrategy", "")).upper() == "FULL":
            at_jitter = f"{at}/JitterStrategy"
            self.c.claim(K.JITTER, at_jitter, "schema.asl.retry.jitter", scope, group=group)

    def catcher(
        self,
        name: str,
        target: object,
        at: str,
        scope: tuple[str, ...],
        states: States,
        main: set[str],
    ) -> None:
        """A Catch of the state `name` whose `Next` is `target`."""
        group = at.rsplit("/", 1)[0]
        path = self.path(name, [target] if isinstance(target, str) else [], states, main)
        claim = self._claim
        if path.loops:
            self._loop(path, at, scope, group)
        elif path.persists:
            claim(K.TERMINAL_PATH, at, "schema.asl.catch.persist", scope, group)
        elif path.compensates:
            claim(K.COMPENSATION, at, "schema.asl.catch.compensate", scope, group)
        elif path.ends and path.ends <= {"Fail"}:
            claim(K.TRY_CATCH, at, "schema.asl.catch.fail", scope, group)
        else:
            claim(K.SWALLOW, at, "schema.asl.catch.continue", scope, group)
        if path.alerts:
            claim(K.ALERTING, at, "schema.asl.catch.alert", scope, group)

    def choice(self, at: str, branches: list[str], scope: tuple[str, ...], states: States) -> None:
        """A Choice at `at` on the outcome of the steps `scope`, failing into `branches`."""
        path = self.path("", branches, states, set())
        group = f"{at}/outcome"
        if path.persists:
            self._claim(K.TERMINAL_PATH, at, "schema.asl.choice.persist", scope, group)
        if path.alerts:
            self._claim(K.ALERTING, at, "schema.asl.choice.alert", scope, group)

    def path(self, name: str, roots: list[str], states: States, main: set[str]) -> _Path:
        """What the states reached from `roots` do, up to where they rejoin `main`."""
        found = _Path()
        ends: set[str] = set()
        for state_name in reach(states, roots, set(), until=main | {name}):
            state = states[state_name]
            if state_name == name:
                found.loops = True
                continue
            if state_name in main:  # rejoins the workflow: it continues as if nothing failed
                found.persists |= self._stores(state, state_name)
                ends.add("Succeed")
                continue
            kind = state.get("Type")
            if kind in ("Fail", "Succeed"):
                ends.add(str(kind))
            elif state.get("End") is True:
                ends.add("Succeed")
            if kind == "Wait" and found.wait is None:
                found.wait = _number(state.get("Seconds"), 1.0)
            if kind == "Task" and isinstance(state.get("Resource"), str):
                call = integration(str(state["Resource"]), _params(state))
                found.persists |= self.persists(call, state_name)
                found.compensates |= common.mentions(state_name, common.COMPENSATION_WORDS)
                found.alerts |= self.alerts(call, state_name)
        found.ends = frozenset(ends)
        return found

    def _stores(self, state: dict[str, object], name: str) -> bool:
        if state.get("Type") != "Task" or not isinstance(state.get("Resource"), str):
            return False
        return self.persists(integration(str(state["Resource"]), _params(state)), name)

    def _loop(self, path: _Path, at: str, scope: tuple[str, ...], group: str) -> None:
        """`Catch` back to the failing state: try/catch and call it again, until it works."""
        self._claim(K.RETRY, at, "schema.asl.catch.loop", scope, group)
        if path.wait is None:
            self._claim(K.RETRY_IMMEDIATE, at, "schema.asl.catch.loop", scope, group)
        else:
            rule = "schema.asl.catch.loop_wait"
            self.c.claim(K.RETRY_FIXED, at, rule, scope, group=group, value=path.wait)
        self._claim(K.UNBOUNDED, at, "schema.asl.catch.loop", scope, group)
        self._claim(K.TRY_CATCH, at, "schema.asl.catch.loop", scope, group)
        if path.alerts:
            self._claim(K.ALERTING, at, "schema.asl.catch.alert", scope, group)

    def _claim(
        self, kind: ClaimKind, at: str, rule: str, scope: tuple[str, ...], group: str
    ) -> None:
        self.c.claim(kind, at, rule, scope, group=group)


def _params(state: dict[str, object]) -> dict[str, object]:
    for key in ("Arguments", "Parameters"):
        value = state.get(key)
        if isinstance(value, dict):
            return value
    return {}


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)
