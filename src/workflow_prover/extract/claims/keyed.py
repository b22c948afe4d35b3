"""A mechanism named as a key: `"dlq": false`, `failure_handling: none`, `"failure_handling": {`.

A key names a field; what the field says of the design is its value. Pasted JSON or YAML (a
config, or a report of the Prover's own, whose `checks` hold a `failure_handling` key) used to
count every key as an assertion, so `"dlq": false` claimed a DLQ and a pasted report claimed
error handling. Here:

- a key whose value is an off value (`false`, `none`, `null`, `off`: terms OFF_VALUE) is a
  negated claim;
- a topic key (`failure_handling`, `error_handling`: the generic error-handling label) whose
  value is a block (`{`, `[` or an indented line) claims nothing itself: the block's own
  mechanisms are claims of their own;
- any other key keeps its reading (`"retries": 3`, `on_failure: notify_slack`).

Only a key written as one word (`dlq`, `failure_handling`, `"on-failure"`) counts; a prose
label ("Failure handling: we send errors to a DLQ") is read as prose.
"""

from __future__ import annotations

from dataclasses import replace

from workflow_prover.annotate.types import Tok
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.claims.scope import ClaimDraft
from workflow_prover.extract.reading import TextView

_QUOTES = frozenset(('"', "'", "`"))
_OPENERS = frozenset(("{", "["))
_VALUE_ENDS = frozenset((",", "}", "]", '"', "'", "`", ";"))
_TOPIC_KINDS = frozenset(("error_handling",))


def read_keys(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """The claims with each key read by its value (see the module's docstring)."""
    out: list[ClaimDraft] = []
    for claim in claims:
        value = _value_start(view.toks, claim.start, claim.end)
        if value is None:
            out.append(claim)
        elif _is_off(view, value):
            out.append(replace(claim, reading=Reading("negated")))
        elif claim.kind in _TOPIC_KINDS and _opens_block(view.toks, value):
            continue
        else:
            out.append(claim)
    return out


def _value_start(toks: list[Tok], start: int, end: int) -> int | None:
    """The index of the value's first token when tokens [start, end) are a key, else None."""
    if any(toks[i].ws for i in range(start, end - 1)):
        return None  # more than one word: a prose label
    k = end
    if k < len(toks) and toks[k].text in _QUOTES and not toks[k - 1].ws:
        k += 1
    if k >= len(toks) or toks[k].text != ":" or toks[k - 1].ws:
        return None
    return k + 1 if k + 1 < len(toks) else len(toks)


def _is_off(view: TextView, at: int) -> bool:
    """Is the value one off word (`false`, `"none"`), and nothing more?"""
    toks = view.toks
    if at < len(toks) and toks[at].text in _QUOTES:
        at += 1
    if at >= len(toks) or at not in view.term_starts("OFF_VALUE"):
        return False
    after = at + 1
    return (
        after >= len(toks)
        or toks[after].text in _VALUE_ENDS
        or "\n" in toks[at].ws
        or toks[after].line != toks[at].line
    )


def _opens_block(toks: list[Tok], at: int) -> bool:
    """Does the value open an object or list, or continue on the lines below?"""
    if at >= len(toks):
        return False
    return toks[at].text in _OPENERS or toks[at].line != toks[at - 1].line
