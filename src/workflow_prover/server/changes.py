"""What a session turn changed (issue 9): findings resolved and new, claims added, retracted or
overridden, each with the turn and the words that did it.

Computed from two reports as JSON (the previous turn's, stored, and this one's), so it needs no
graph and replays the same from the store. The words are evidence texts, already redacted.
"""

from __future__ import annotations

import re
from typing import Any

from workflow_prover.graph.kinds import kind_table
from workflow_prover.models import ClaimKind

K = ClaimKind
# The claim kinds that speak to each check (as `models.ClaimKind` groups them).
CHECK_KINDS: dict[str, frozenset[str]] = {
    "failure_handling": frozenset(
        k.value
        for k in (
            K.TERMINAL_PATH,
            K.COMPENSATION,
            K.SWALLOW,
            K.RETRY,
            K.TRY_CATCH,
            K.LOGGING,
            K.ALERTING,
            K.ERROR_HANDLING,
            K.NO_HANDLING,
            K.TIMEOUT,
            K.REPLAY,
        )
    ),
    "rate_limiting": frozenset(
        k.value
        for k in (
            K.BACKOFF_EXPONENTIAL,
            K.RETRY_FIXED,
            K.RETRY_IMMEDIATE,
            K.JITTER,
            K.THROTTLE_RATE,
            K.THROTTLE_CONCURRENCY,
            K.RETRY_AFTER,
            K.RATE_LIMIT_ERRORS,
            K.MAX_ATTEMPTS,
            K.UNBOUNDED,
        )
    ),
    "idempotency": frozenset(
        k.value for k in (K.IDEMPOTENCY, K.IDEMPOTENCY_STORE, K.UNSTABLE_KEY, K.KEY_RETENTION)
    ),
    "credentials": frozenset(
        k.value
        for k in (
            K.VAULT,
            K.WORKLOAD_IDENTITY,
            K.HARDCODED,
            K.ENV_VAR,
            K.ROTATION,
            K.REVOKED,
            K.NO_CREDENTIAL,
        )
    ),
}


def _rivals() -> dict[str, str]:
    """Claim kind -> its rival group (the kinds' table, `graph/kinds.jsonl`)."""
    return {kind.value: name for name, kinds in kind_table().groups.items() for kind in kinds}


Item = dict[str, Any]


def finding_key(f: Item) -> tuple[str, int | None, str | None]:
    return (str(f["code"]), f.get("step"), f.get("service"))


def counted(f: Item) -> bool:
    """A finding that counts: not suppressed, not accepted."""
    return not f.get("suppressed", False) and not f.get("accepted")


def covers(claim: Item, step: int | None, service: str | None) -> bool:
    scope = claim["scope"]
    if scope["target"] == "all":
        return True
    if step is not None and step in scope.get("steps", []):
        return True
    return service is not None and service in scope.get("services", [])


def _turn_of(claim: Item) -> int:
    return int(claim["evidence"][0].get("turn", 1)) if claim.get("evidence") else 0


_END = re.compile(r"[.!?](?=\s|$)|\n")  # "billing.usage_failures" goes on
_CLAUSE = re.compile(r"[.!?;:](?=\s|$)|\n")
_MAX_WORDS = 240


def words_of(claim: Item, text: str = "") -> str:
    """The sentence of this turn the claim was read in (its evidence alone where the text is
    not at hand), so that "turn 3: '...'" quotes what the user said."""
    if not claim.get("evidence"):
        return ""
    evidence = claim["evidence"][0]
    start, end = int(evidence.get("start", 0)), int(evidence.get("end", 0))
    if not text or not 0 <= start < end <= len(text):
        return str(evidence["text"])
    for bound in (_END, _CLAUSE):  # the sentence, or in a long one the clause
        before = [m.end() for m in bound.finditer(text, 0, start)]
        after = bound.search(text, end)
        lo, hi = (before[-1] if before else 0), (after.start() + 1 if after else len(text))
        words = " ".join(text[lo:hi].split()).rstrip(".;:")
        if len(words) <= _MAX_WORDS:
            return words
    return str(evidence["text"])


def _labels(report: Item) -> dict[int, int]:
    return {s["index"]: s.get("label") or s["index"] for s in report.get("steps", [])}


def _why(f: Item, claims: list[Item], turn: int, text: str) -> Item:
    """The finding, named as the user names its step, with this turn's words about it."""
    kinds = CHECK_KINDS.get(str(f["check"]), frozenset())
    step, service = f.get("step"), f.get("service")
    said = [c for c in claims if c["kind"] in kinds and covers(c, step, service)]
    words = words_of(said[0], text) if said else ""
    if not words:
        words = next((e["text"] for e in f.get("evidence", []) if e.get("turn") == turn), "")
    return {
        "code": f["code"],
        "check": f["check"],
        "step": step,
        "service": service,
        "turn": turn,
        "words": words,
    }


def _claim_item(claim: Item, turn: int, text: str = "") -> Item:
    return {
        "kind": claim["kind"],
        "turn": turn,
        "words": words_of(claim, text),
        "scope": claim["scope"],
    }


def changes(previous: Item | None, report: Item, turn: int, text: str = "") -> Item:
    """This turn (`text`: its redacted text) against the previous one: steps added and taken
    out, findings resolved, new and accepted, claims added, retracted (this turn negates them)
    and overridden (this turn asserts a rival)."""
    now = [c for c in report.get("claims", []) if _turn_of(c) == turn]
    asserted = [c for c in now if c["modality"] == "asserted"]
    before_f = {finding_key(f): f for f in (previous or {}).get("findings", []) if counted(f)}
    after_f = {finding_key(f): f for f in report.get("findings", []) if counted(f)}
    accepted = {finding_key(f): f for f in report.get("findings", []) if f.get("accepted")}
    labels = _labels(report)
    gone = [f for k, f in before_f.items() if k not in after_f]
    resolved = [_why(f, asserted, turn, text) for f in gone if finding_key(f) not in accepted]
    new = [_why(f, now, turn, text) for k, f in after_f.items() if k not in before_f]
    taken = [
        {
            **_why(accepted[finding_key(f)], [], turn, text),
            "reason": accepted[finding_key(f)]["accepted"],
        }
        for f in gone
        if finding_key(f) in accepted
    ]
    for item in (*resolved, *new, *taken):
        item["label"] = labels.get(item["step"], item["step"]) if item["step"] else None
    earlier = [c for c in report.get("claims", []) if _turn_of(c) < turn]
    overridden = [
        {**_claim_item(old, _turn_of(old)), "by": _claim_item(c, turn, text)}
        for c in asserted
        for old in earlier
        if old["modality"] == "asserted"
        and old["kind"] != c["kind"]
        and _rivals().get(old["kind"]) is not None
        and _rivals().get(old["kind"]) == _rivals().get(c["kind"])
        and _overlap(old["scope"], c["scope"])
    ]
    steps_added, steps_removed = _step_changes(previous, report)
    return {
        "turn": turn,
        "steps_added": steps_added,
        "steps_removed": steps_removed,
        "findings_resolved": resolved if previous is not None else [],
        "findings_new": new if previous is not None else [],
        "findings_accepted": taken,
        "claims_added": [_claim_item(c, turn, text) for c in asserted],
        "claims_retracted": [_claim_item(c, turn, text) for c in now if c["modality"] == "negated"],
        "claims_overridden": overridden,
        "verdict_before": (previous or {}).get("verdict"),
        "verdict": report.get("verdict"),
    }


def _step_changes(previous: Item | None, report: Item) -> tuple[list[Item], list[Item]]:
    """Steps this turn added and steps it took out or moved ('ur step 4 isn't a thing', 'the
    Slack post goes to Teams'), as the user saw them: number, action, services, words."""
    if previous is None:
        return [], []

    def key(step: Item) -> tuple[str, bool, tuple[str, ...], str]:
        return (step["action"], step["inbound"], tuple(step["services"]), step["text"])

    def shown(step: Item) -> Item:
        return {
            "step": step["index"],
            "label": step.get("label") or step["index"],
            "action": step["action"],
            "services": list(step["services"]),
            "text": step["text"],
        }

    before = {key(s): s for s in previous.get("steps", [])}
    after = {key(s): s for s in report.get("steps", [])}
    added = [shown(s) for k, s in after.items() if k not in before]
    removed = [shown(s) for k, s in before.items() if k not in after]
    return added, removed


def _overlap(a: Item, b: Item) -> bool:
    if "all" in (a["target"], b["target"]):
        return True
    return bool(
        set(a.get("steps", [])) & set(b.get("steps", []))
        or set(a.get("services", [])) & set(b.get("services", []))
    )
