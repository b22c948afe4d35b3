"""Claims no single cue states: read off the shape of the text.

- '1s, 2s, 4s, 8s' is exponential backoff; '1s, 2s, 3s' is a fixed retry;
- 'failed events go to an S3 bucket' is a terminal path, whatever the store is called;
- '...deduped on the order ID, but we dropped that' retracts what the clause before said.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left

from workflow_prover.annotate.types import Group, Mention, Tok
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.claims.scope import ClaimDraft, Targets, refers_back, scope_of
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import AUXILIARIES
from workflow_prover.extract.reading import TextView

_DELAY = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|sec|secs|m|min|mins)?$")
_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
}


def retractions(view: TextView, claims: list[ClaimDraft], targets: Targets) -> list[ClaimDraft]:
    """'...was deduped on the order ID, but we dropped that': a retraction that points back.

    A retraction cue whose clause names no mechanism itself but refers back ("that", "it")
    negates what the previous clause of the sentence (or the previous sentence) asserted, as
    does a negation in a 'but' clause that points back ('..., but nothing ever fills it');
    so does a status clause of its own ("we might add a condition keyed on event_id; not done
    yet").
    """
    said = {c.clause for c in claims}
    by_clause: dict[int, list[ClaimDraft]] = {}
    for c in claims:  # what a retraction can take back, by clause
        if c.reading.modality == "asserted" and c.kind not in ("webhook", "replay", "alerting"):
            by_clause.setdefault(c.clause, []).append(c)
    ordered = sorted(by_clause)
    out: list[ClaimDraft] = []
    for cue in view.ann.of(Group.CONTEXT):
        index = view.lay.clause_of[cue.start]
        clause = view.clause(index)
        without = _without_it(view, cue)
        if (
            cue.effect not in ("retraction", "status")
            and not _but_denied(view, clause, cue)
            and not without
        ):
            continue
        if index in said:
            continue
        if cue.effect == "status" and not _opens(view, clause, cue):
            continue  # "not done yet" said of something in its own clause
        if cue.effect != "status" and not refers_back(view, clause):
            continue
        at = bisect_left(ordered, index)
        if at == 0:
            continue
        last = ordered[at - 1]
        if any(last < k < index for k in said):
            # "If we had a dead-letter queue, ..., but we don't have one": what it points
            # back at is the nearer mechanism, which no one asserted; nothing to take back
            continue
        if view.lay.sentence_of[view.clause(last).start] < view.lay.sentence_of[cue.start] - 1:
            continue
        # a status is about its whole sentence, a retraction about the clause it points at
        if cue.effect == "status":
            first = at
            while first > 0 and view.clause(ordered[first - 1]).sentence == clause.sentence:
                first -= 1
            taken = [c for k in ordered[first:at] for c in by_clause[k]]
        else:
            taken = by_clause[last]
        # "LoyaltyLion is called directly without it": what points back is denied for the
        # services this clause names, not where it was said
        own = scope_of(targets, index, credential=False) if without else None
        out += [
            ClaimDraft(
                c.kind,
                Reading("negated", (cue,)),
                own if own is not None and own.services else c.scope,
                cue.start,
                cue.end,
                index,
                c.rule,
                c.value,
            )
            for c in taken
        ]
    return out


def _without_it(view: TextView, cue: Mention) -> bool:
    """'... without it', 'no more of that': a negation of a word that stands for a mechanism
    said just before."""
    toks = view.toks
    k = cue.end
    return (
        cue.label == "NEGATED"
        and k < len(toks)
        and toks[k].norm in ("it", "that", "them", "this", "those")
    )


def _but_denied(view: TextView, clause: Clause, cue: Mention) -> bool:
    """'an `idempotency_key` column, but nothing ever fills it': a negation in a 'but' clause
    that points back denies what the clause before said."""
    return cue.label == "NEGATED" and view.toks[clause.start].norm == "but"


def _opens(view: TextView, clause: Clause, cue: Mention) -> bool:
    """Does the cue open its clause (after markup and connectives: '; not done yet',
    '(not built yet)', 'but not implemented')?"""
    skip = ("(", "-", "—", "–", "but", "and", "though", "still", "*", "_")
    return all(view.toks[i].norm in skip for i in range(clause.start, cue.start))


def routed_failures(view: TextView, targets: Targets, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'Failed events go to the Lambda's SQS destination', 'errors end up in an S3 bucket':
    failed work sent somewhere that keeps it is a terminal path, whatever the store's name."""
    have = {c.clause for c in claims if c.kind == "terminal_path"}
    toks = view.toks
    out: list[ClaimDraft] = []
    failure_at = view.term_starts("FAILURE_WORD")
    heads = view.term_starts("MECHANISM_HEAD")
    for clause in view.lay.clauses:
        if clause.index in have:
            continue
        fail = next((i for i in range(clause.start, clause.end) if i in failure_at), None)
        if fail is None:
            continue
        routes = view.catalog.words.route_verb
        where = _predicate_clause(view, clause, fail)
        route = next((i for i in range(fail + 1, where.end) if toks[i].norm in routes), None)
        if route is None:
            continue
        stores = [
            m.end for m in view.clause_services(where.index) if m.start > route and view.can_host(m)
        ]
        # (a log keeps no failed work to replay: "may end up with hundreds of log files")
        stores += [
            i + 1
            for i in range(route + 1, where.end)
            if i in heads and toks[i].norm not in ("log", "logs")
        ]
        if not stores:
            continue
        end = min(stores)
        mention = Mention(Group.CUE, "terminal_path", "dlq.failure_routed", fail, end)
        out.append(
            ClaimDraft(
                "terminal_path",
                view.read(mention),
                scope_of(targets, clause.index, credential=False),
                fail,
                end,
                clause.index,
                "dlq.failure_routed",
            )
        )
    return out


def _predicate_clause(view: TextView, clause: Clause, fail: int) -> Clause:
    """Where the failure's predicate is: its own clause, or a later clause of the sentence
    with a passive route ('anything that fails three times, read or write, is written to the
    invoice_replay table')."""
    toks = view.toks
    routes = view.catalog.words.route_verb
    if any(toks[i].norm in routes for i in range(fail + 1, clause.end)):
        return clause
    for later in view.lay.clauses[clause.index + 1 : clause.index + 4]:
        if later.sentence != clause.sentence:
            break
        if any(
            toks[i].norm in routes and toks[i - 1].norm in AUXILIARIES
            for i in range(later.start + 1, later.end)
        ):
            return later  # "..., is written to": the passive predicate of that subject
    return clause


def _bare_item(toks: list[Tok], j: int) -> bool:
    """Does the number before j stand alone in a list (a separator or the end after it, not
    a noun: 'then 4 retries' counts retries)?"""
    return j >= len(toks) or not toks[j].text[:1].isalnum() or toks[j].norm in ("then", "and")


_PACING = frozenset(
    (
        *("backoff_exponential", "retry_fixed", "retry_immediate"),
        *("jitter", "retry_after", "max_attempts"),
    )
)


def same_way(view: TextView, targets: Targets, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'Mailjet sends are retried with exponential backoff on 429s; xero reads are retried
    the same way': 'the same way', 'likewise', 'similarly' repeat the pacing the clause before
    stated, for what this clause names."""
    toks = view.toks
    by_sentence: dict[int, list[ClaimDraft]] = {}
    pacing_clauses: set[int] = set()
    for c in claims:
        if c.kind in _PACING:
            pacing_clauses.add(c.clause)
            if c.reading.modality == "asserted":
                by_sentence.setdefault(view.lay.sentence_of[c.start], []).append(c)
    out: list[ClaimDraft] = []
    for clause in view.lay.clauses:
        at = next(
            (
                i
                for i in range(clause.start, clause.end)
                if toks[i].norm in ("likewise", "similarly")
                or (
                    toks[i].norm == "same"
                    and i + 1 < clause.end
                    and toks[i + 1].norm in ("way", "policy", "backoff", "schedule")
                )
            ),
            None,
        )
        if at is None or clause.index in pacing_clauses:
            continue
        before = [
            c
            for sentence in (clause.sentence - 1, clause.sentence)
            for c in by_sentence.get(sentence, ())
            if c.clause < clause.index
        ]
        if not before:
            continue
        last = max(c.clause for c in before)
        scope = scope_of(targets, clause.index, credential=False)
        out += [
            ClaimDraft(c.kind, c.reading, scope, at, at + 1, clause.index, c.rule, c.value)
            for c in before
            if c.clause == last
        ]
    return out


_STORED = frozenset(("idempotency", "idempotency_store", "terminal_path"))


def same_store(view: TextView, targets: Targets, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'we do a conditional put into a processed_invoices table ... The Mailgun send uses the
    same table': 'the same' before a mechanism's store ('table', 'queue', 'set') repeats the
    mechanisms the nearest earlier clause naming that store stated, for what this clause
    names; before a guard's own noun (a GUARD_NOUN: 'the same check', 'the same dedupe') it
    repeats the nearest earlier de-duplication."""
    toks = view.toks
    heads = view.term_starts("MECHANISM_HEAD")
    guards = view.catalog.words.guard_noun
    stated = [c for c in claims if c.kind in _STORED and c.reading.modality == "asserted"]
    if not stated:
        return []
    out: list[ClaimDraft] = []
    for clause in view.lay.clauses:
        at = next(
            (
                i
                for i in range(clause.start, clause.end - 1)
                if toks[i].norm == "same" and (i + 1 in heads or toks[i + 1].norm in guards)
            ),
            None,
        )
        if at is None or any(c.clause == clause.index for c in stated):
            continue
        head = toks[at + 1].norm
        if head in guards:
            # "the slack post uses the same check": the guard the nearest earlier clause
            # that de-duplicates stated, whatever its store is called
            named = [c for c in stated if c.clause < clause.index and c.kind != "terminal_path"]
        else:
            named = [c for c in stated if c.clause < clause.index and _names(view, c.clause, head)]
        if not named:
            continue
        last = max(c.clause for c in named)
        scope = scope_of(targets, clause.index, credential=False)
        out += [
            ClaimDraft(c.kind, c.reading, scope, at, at + 2, clause.index, c.rule, c.value)
            for c in named
            # "failures are written to the same table": a store said of no write keys none
            if c.clause == last and (c.kind == "terminal_path" or not scope.general)
        ]
    return out


def _names(view: TextView, clause: int, word: str) -> bool:
    c = view.clause(clause)
    return any(t.norm == word for t in view.toks[c.start : c.end])


def delay_sequences(view: TextView, targets: Targets) -> list[ClaimDraft]:
    """'1s, 2s, 4s, 8s' doubles (exponential); '1s, 2s, 3s' grows linearly (not)."""
    toks = view.toks
    numbered = view.catalog.words.numbered_step_ref
    out: list[ClaimDraft] = []
    i = 0
    # a sequence starts at a delay ("500ms", "2"): the other tokens are passed over at once
    starts = itertools.compress(range(len(toks)), map(_DELAY.match, (t.text for t in toks)))
    for start in starts:
        if start < i:
            continue
        i = start
        values, j = _sequence(toks, i, numbered)
        if len(values) >= 3:
            ratios = [b / a for a, b in itertools.pairwise(values) if a > 0]
            diffs = [b - a for a, b in itertools.pairwise(values)]
            kind = None
            # equal steps first: "5 s, 10 s, 15 s" grows by 2 then 1.5, and is still linear
            if diffs and all(d > 0 for d in diffs) and max(diffs) == min(diffs):
                kind, rule = "retry_fixed", "seq.linear"
            elif ratios and all(r >= 1.5 for r in ratios) and max(ratios) - min(ratios) < 0.6:
                kind, rule = "backoff_exponential", "seq.doubling"
            if kind is not None:
                clause = view.lay.clause_of[i]
                mention = Mention(Group.CUE, kind, rule, i, j)
                out.append(
                    ClaimDraft(
                        kind,
                        view.read(mention),
                        scope_of(targets, clause, credential=False),
                        i,
                        j,
                        clause,
                        rule,
                    )
                )
            i = max(j, i + 1)
    return out


def _sequence(toks: list[Tok], i: int, step_refs: frozenset[str]) -> tuple[list[float], int]:
    """Delays in seconds from i on ("500ms, 1s, 2s"); empty unless the first value has a unit
    and each later one has its own or stands bare in the list ("2 seconds, then 4, then 8").

    Without units a list of numbers is not a schedule ("steps 1, 2 and 3").
    """
    values: list[float] = []
    j = i
    last_unit: str | None = None
    if i > 0 and toks[i - 1].norm in step_refs:
        return [], i + 1
    while j < len(toks):
        m = _DELAY.match(toks[j].text)
        if not m:
            break
        unit = m.group(2)
        j += 1
        if unit is None and j < len(toks) and toks[j].norm in _UNITS:
            unit = toks[j].norm
            j += 1
        if unit is None and last_unit is not None and _bare_item(toks, j):
            unit = last_unit  # "waits 2 seconds, then 4, then 8": the unit said once
        if unit is None:
            return [], j
        last_unit = unit
        values.append(float(m.group(1)) * _UNITS[unit])
        k = j
        while k < len(toks) and toks[k].norm in (",", "→", "->", "then", "and"):
            k += 1  # "1 s, then 2 s, then 4 s"
        if j < k < len(toks) and _DELAY.match(toks[k].text):
            j = k
            continue
        break
    return values, j
