"""Clauses that talk about a mechanism rather than do a step of the workflow.

"Failures are *sent* to the DLQ", "the key is *read* from Vault", "every write is keyed:
the Slack post is skipped...": the verb acts on a mechanism part (rubric section 1), so the
clause adds no step. The test: a claim cue, a credential noun or a failure word before the
verb, in the subject; a write into a failure store that names no system ("writes the
reading to the excursion_failed table"); or a read from a secrets store ("pulled from our
1Password vault").
"""

from __future__ import annotations

from workflow_prover.annotate.types import Mention
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.reading import TextView

_NOT_MECHANISM = frozenset(("webhook", "idempotency", "key_retention"))


def is_mechanism(view: TextView, clause: Clause, start: int, verb: Mention) -> bool:
    """Is the verb's subject (from `start`) a mechanism, a credential or a failure?"""
    if clause.after_colon is not None and states_mechanism(view, clause.after_colon):
        return True
    if any(
        c.label not in _NOT_MECHANISM and start <= c.start and c.end <= verb.start
        for c in view.mentions("cue", clause.index)
    ):
        return True
    if (
        verb.label in ("WRITE", "TRANSFER")
        and not view.clause_services(clause.index)
        and any(
            c.label == "terminal_path" and c.start >= verb.end
            for c in view.mentions("cue", clause.index)
        )
    ):
        return True  # "(a handler that) writes the reading ... to the excursion_failed table"
    if verb.label == "READ" and any(
        m.info.role == "secrets" and m.start >= verb.end for m in view.clause_services(clause.index)
    ):
        return True  # "reads its settings from Secrets Manager": a credential fetch, no step
    return view.has_term("CREDENTIAL_NOUN", start, verb.start) or view.has_term(
        "FAILURE_WORD", start, verb.start
    )


def states_mechanism(view: TextView, clause: int) -> bool:
    """'Every write is keyed on the order ID:' -- what follows the colon elaborates it."""
    return any(
        c.label not in ("webhook", "no_handling") and view.read(c).modality == "asserted"
        for c in view.mentions("cue", clause)
    )
