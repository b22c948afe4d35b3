"""The transitions of a state machine: where each state leads, and what a Choice tests.

A Choice is a business branch ("buy or sell?") unless it tests an error or a status code:
`$.StatusCode == 200`, `$.status == "FAILED"`, `$.error` present. Then the branch taken when the
call did not succeed is a failure path: a notification there is alerting, a state that records
the failure there is a terminal path (`asl._Reader.choice`). Which branch is the failure one is
read from the value tested: a success value (200, "SUCCEEDED", true) makes the other branches
and the Default the failure branches; a failure value ("FAILED", an error present, a 4xx/5xx
code) makes its own branch one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

States = dict[str, dict[str, object]]

# A Choice rule's variable (or JSONata condition) that holds an outcome, not business data.
_OUTCOME = re.compile(r"status|error|cause|fail|succe|result\.?code|exception", re.IGNORECASE)
_SUCCESS = re.compile(r"^(?:2\d\d|ok|success|succeeded|successful|completed|done|true)$", re.I)
_FAILURE = re.compile(r"^(?:[45]\d\d|failed|failure|error|errored|timed_?out|aborted|false)$", re.I)
_VALUE_KEYS = ("StringEquals", "NumericEquals", "BooleanEquals", "StringMatches")
_JSONATA_VALUE = re.compile(r"""=\s*["']?([A-Za-z0-9_]+)["']?""")


def successors(state: dict[str, object]) -> list[str]:
    out: list[str] = []
    choices = state.get("Choices")
    if isinstance(choices, list):
        out += [
            c["Next"] for c in choices if isinstance(c, dict) and isinstance(c.get("Next"), str)
        ]
    for key in ("Next", "Default"):
        target = state.get(key)
        if isinstance(target, str):
            out.append(target)
    return out


def catch_targets(state: dict[str, object]) -> list[str]:
    catch = state.get("Catch")
    if not isinstance(catch, list):
        return []
    return [c["Next"] for c in catch if isinstance(c, dict) and isinstance(c.get("Next"), str)]


def reach(
    states: States,
    roots: Iterable[str],
    stop: set[str],
    until: frozenset[str] | set[str] = frozenset(),
) -> list[str]:
    """States reached from `roots` through Next/Choices/Default, in depth-first order.

    `stop`: states not entered; `until`: states entered but not gone beyond.
    """
    order: list[str] = []
    seen = set(stop)
    stack = list(reversed(list(roots)))
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        order.append(name)
        if name not in until:
            stack += reversed(successors(states[name]))
    return order


def predecessors(states: States, name: str) -> list[str]:
    """States whose Next leads to `name`, through Pass states (which do no work)."""
    out: list[str] = []
    frontier = [name]
    seen = {name}
    while frontier:
        target = frontier.pop()
        for other, state in states.items():
            if other in seen or state.get("Next") != target:
                continue
            seen.add(other)
            if state.get("Type") == "Pass":
                frontier.append(other)
            else:
                out.append(other)
    return out


def failure_branches(state: dict[str, object]) -> list[str] | None:
    """The branches a Choice takes when what it tests is an error or an unsuccessful status.

    None when the Choice does not test an outcome (a business branch).
    """
    raw = state.get("Choices")
    rules = [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []
    verdicts = [_outcome(rule) for rule in rules]
    if not any(v is not None for v in verdicts):
        return None
    failing = [str(r["Next"]) for r, v in zip(rules, verdicts, strict=True) if v == "failure"]
    if any(v == "success" for v in verdicts):
        failing += [str(r["Next"]) for r, v in zip(rules, verdicts, strict=True) if v is None]
        default = state.get("Default")
        if isinstance(default, str):
            failing.append(default)
    return [name for name in dict.fromkeys(failing) if isinstance(name, str)]


def _outcome(rule: dict[str, object]) -> str | None:
    """'success' or 'failure' when a rule tests an outcome, else None."""
    for nested in ("And", "Or"):
        inner = rule.get(nested)
        if isinstance(inner, list):
            found = {_outcome(r) for r in inner if isinstance(r, dict)} - {None}
            return found.pop() if len(found) == 1 else None
    negated = rule.get("Not")
    if isinstance(negated, dict):
        inner_outcome = _outcome(negated)
        return {"success": "failure", "failure": "success"}.get(inner_outcome or "")
    variable = str(rule.get("Variable") or rule.get("Condition") or "")
    if not _OUTCOME.search(variable):
        return None
    if rule.get("IsPresent") is True and re.search("error|cause|exception", variable, re.I):
        return "failure"
    value = next((rule[k] for k in _VALUE_KEYS if k in rule), None)
    if value is None and "Condition" in rule:
        match = _JSONATA_VALUE.search(variable)
        value = match.group(1) if match else None
    if value is None:
        return _threshold(rule)
    text = str(value).strip()
    if _SUCCESS.match(text):
        return "success"
    return "failure" if _FAILURE.match(text) else None


def _threshold(rule: dict[str, object]) -> str | None:
    """`StatusCode >= 400` tests for a failure; `StatusCode < 300` for a success."""
    for key in ("NumericGreaterThanEquals", "NumericGreaterThan"):
        limit = rule.get(key)
        if isinstance(limit, int | float) and limit >= 399:
            return "failure"
    for key in ("NumericLessThan", "NumericLessThanEquals"):
        limit = rule.get(key)
        if isinstance(limit, int | float) and 200 <= limit <= 300:
            return "success"
    return None
