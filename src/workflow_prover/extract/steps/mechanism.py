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
        c.label == "idempotency_store" and c.start >= verb.end
        for c in view.mentions("cue", clause.index)
    ):
        return True  # "the Asana completions are checked against a processed_bookings table"
    if verb.label == "READ" and any(
        m.info.role == "secrets" and m.start >= verb.end for m in view.clause_services(clause.index)
    ):
        return True  # "reads its settings from Secrets Manager": a credential fetch, no step
    if _keeps_a_key(view, clause, start, verb):
        return True
    return view.has_term("CREDENTIAL_NOUN", start, verb.start) or view.has_term(
        "FAILURE_WORD", start, verb.start
    )


def states_mechanism(view: TextView, clause: int) -> bool:
    """'Every write is keyed on the order ID:' -- what follows the colon elaborates it."""
    return any(
        c.label not in ("webhook", "no_handling") and view.read(c).modality == "asserted"
        for c in view.mentions("cue", clause)
    )


_ID_WORDS = frozenset(("id", "ids", "ts", "uuid", "key", "keys", "sid", "hash", "token", "ref"))
_KEEP_VERBS = frozenset(("store", "stores", "stored", "storing", "save", "saves", "saved"))


def _keeps_a_key(view: TextView, clause: Clause, start: int, verb: Mention) -> bool:
    """'the message ts is stored in redis under the response token; if it's there, we skip':
    an identifier kept in a sentence that de-duplicates is the dedupe's store, a mechanism
    part; 'we store the order in Postgres' is a write (what it keeps is no identifier)."""
    toks = view.toks
    if toks[verb.start].norm not in _KEEP_VERBS:
        return False
    kept = range(start, verb.start) if start < verb.start - 1 else range(verb.end, verb.end + 4)
    if not any(k < len(toks) and toks[k].norm in _ID_WORDS for k in kept):
        return False
    sentence = clause.sentence
    return any(
        c.label in ("idempotency", "idempotency_store") and view.read(c).modality == "asserted"
        for other in view.lay.clauses
        if other.sentence == sentence
        for c in view.mentions("cue", other.index)
    )
