"""Claims: every mention of a resilience mechanism, with its modality and scope.

Scope, most specific evidence first, clause by clause:
1. "steps 1 and 2" names steps;
2. a quantifier on a general noun covers everything of that kind ("every write", "all API
   calls", "both databases", "anything that fails");
3. services named in the clause ("NetSuite calls back off", "the Twilio token is in Vault"),
   vendors ("AWS calls") and kinds of call without a quantifier ("the database writes");
4. the step the clause (or its list item, or its arrow segment) describes;
5. a pronoun refers back to the previous clause of the sentence ("...; it's not worth a DLQ");
6. otherwise the statement is general: it covers every step, later ones included.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from workflow_prover.extract.context import Reading
from workflow_prover.extract.segment import Clause, verb_form
from workflow_prover.extract.services import SvcMention, preceded_by
from workflow_prover.extract.steps import StepDraft
from workflow_prover.extract.types import Group, Mention, Tok
from workflow_prover.extract.view import TextView

CREDENTIAL_KINDS = frozenset(("vault", "workload_identity", "hardcoded", "env_var", "rotation"))
_CALL_KINDS = frozenset(
    (
        "throttle_rate",
        "throttle_concurrency",
        "backoff_exponential",
        "retry_fixed",
        "retry_immediate",
        "retry",
        "retry_after",
    )
)
_CALLED = frozenset(("on", "to", "for", "against", "toward", "towards"))
_ALONE = frozenset(("everything", "anything", "everywhere", "evrywhere"))
_STAND_IN = frozenset(
    ("it", "that", "this", "they", "them", "those", "these", "its", "their", "which", "one")
)
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


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ScopeDraft:
    general: bool = True
    filter: str | None = None  # api | write | read | database | all
    step_refs: tuple[int, ...] = ()  # the user's numbers
    steps: tuple[int, ...] = ()  # StepDraft.start of steps in this turn
    services: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()


GENERAL = ScopeDraft()
NOWHERE = ScopeDraft(general=False)  # about an action the text does not tie to a service
_PER_WRITE = frozenset(("idempotency", "idempotency_store", "unstable_key"))


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ClaimDraft:
    kind: str
    reading: Reading
    scope: ScopeDraft
    start: int
    end: int
    clause: int
    rule: str
    value: float | None = None


@dataclass
class _Targets:
    """What each clause is about, computed once and inherited by pronouns."""

    view: TextView
    steps: list[StepDraft]
    cache: dict[tuple[int, bool], ScopeDraft] = field(default_factory=dict)


def find_claims(view: TextView, steps: list[StepDraft]) -> list[ClaimDraft]:
    targets = _Targets(view, steps)
    claims: list[ClaimDraft] = []
    for cue in view.cues:
        reading = view.read(cue)
        if cue.name == "inverted":
            # "nobody is texted twice": the cue names the harm, its negation the mechanism
            if reading.modality == "asserted":
                continue
            if reading.modality == "negated":
                reading = Reading("asserted", reading.cues)
        clause = view.lay.clause_of[cue.start]
        scope = _scope(targets, clause, credential=cue.label in CREDENTIAL_KINDS)
        if cue.label == "throttle_rate" and _schedule_only(view, clause):
            continue  # "every 30 minutes (that's our rate limiting)": a schedule does not pace
        if cue.label in _PER_WRITE and scope == GENERAL and _unresolved_action(view, clause):
            scope = NOWHERE  # "writes the ID back onto the case, keyed on X": that write only
        claims.append(
            ClaimDraft(cue.label, reading, scope, cue.start, cue.end, clause, cue.rule, cue.value)
        )
    cue_spans = [(c.start, c.end) for c in view.cues if c.label == "vault"]
    for svc in view.services:
        if svc.info.role == "secrets" and not any(
            s < svc.end and svc.start < e for s, e in cue_spans
        ):
            clause = view.lay.clause_of[svc.start]
            mention = Mention(Group.CUE, "vault", svc.info.rule, svc.start, svc.end)
            scope = _scope(targets, clause, credential=True)
            claims.append(
                ClaimDraft(
                    "vault", view.read(mention), scope, svc.start, svc.end, clause, svc.info.rule
                )
            )
    claims += _delay_sequences(view, targets)
    claims += _routed_failures(view, targets, claims)
    claims += _retractions(view, claims)
    return sorted(claims, key=lambda c: (c.start, c.kind))


def implicit_steps(
    view: TextView, claims: list[ClaimDraft], steps: list[StepDraft]
) -> list[StepDraft]:
    """'We rate limit to 5 req/s on the CRM': a service the design calls, said only here."""
    known = {info.name for step in steps for info in step.services}
    extra: list[StepDraft] = []
    for claim in claims:
        if claim.kind not in _CALL_KINDS or claim.reading.modality != "asserted":
            continue
        clause = view.clause(claim.clause)
        for svc in _named(view, clause, credential=False):
            if svc.info.name in known or svc.info.role not in ("api", "datastore"):
                continue
            if not preceded_by(svc, view.toks, _CALLED, reach=3):
                continue  # "a Polly retry policy" names a library, not a service called
            known.add(svc.info.name)
            extra.append(
                StepDraft(
                    clause.start,
                    clause.end,
                    clause.index,
                    "write",
                    False,
                    (svc.info,),
                    None,
                    f"implicit.{claim.rule}",
                )
            )
    return extra


# ---- scope -----------------------------------------------------------------------------------


def _scope(targets: _Targets, clause_index: int, credential: bool) -> ScopeDraft:
    key = (clause_index, credential)
    if key not in targets.cache:
        targets.cache[key] = _resolve(targets, clause_index, credential)
    return targets.cache[key]


def _resolve(targets: _Targets, index: int, credential: bool) -> ScopeDraft:
    view = targets.view
    clause = view.clause(index)
    refs = _step_refs(view, clause)
    if refs:
        return ScopeDraft(general=False, step_refs=refs)
    quantified = _quantified(view, clause)
    if quantified is not None:
        return quantified
    services = tuple(dict.fromkeys(m.info.name for m in _named(view, clause, credential)))
    vendors = _vendors(view, clause)
    if services or vendors:
        previous = _previous_clause(view, clause)
        if previous is not None and view.toks[clause.start].norm in ("which", "that"):
            # "a new key, which now lives in Secrets Manager along with the Freshdesk key"
            earlier = _scope(targets, previous, credential)
            services = tuple(dict.fromkeys((*earlier.services, *services)))
        return ScopeDraft(general=False, services=services, vendors=vendors)
    kind = _general_noun(view, clause)
    if kind is not None:
        return ScopeDraft(filter=kind)
    own = _own_steps(targets, clause)
    if own:
        return ScopeDraft(general=False, steps=own)
    condition = _condition(view, clause)
    if condition is not None:
        return _scope(targets, condition, credential)  # "If NetSuite errors, we retry..."
    if _refers_back(view, clause):
        previous = _previous_clause(view, clause)
        if previous is not None:
            return _scope(targets, previous, credential)
    return GENERAL


def _named(view: TextView, clause: Clause, credential: bool) -> list[SvcMention]:
    """Services a claim in this clause is about: "the HubSpot client retries" names HubSpot,
    "keyed on the Shopify order ID" does not name Shopify (except for credentials)."""
    return [
        m
        for m in view.clause_services(clause.index)
        if m.info.role in ("api", "datastore")
        and not view.is_host(m)
        and (credential or not view.names_an_id(m))
    ]


def _step_refs(view: TextView, clause: Clause) -> tuple[int, ...]:
    toks = view.toks
    refs: list[int] = []
    for i in range(clause.start, clause.end):
        if toks[i].norm not in ("step", "steps", "stage", "stages", "node", "nodes"):
            continue
        j = i + 1
        while j < clause.end and (
            toks[j].text.isdigit()
            or toks[j].norm in (",", "and", "&", "or", "to", "-", "–", "through")
        ):
            if toks[j].text.isdigit():
                number = int(toks[j].text)
                if refs and toks[j - 1].norm in ("-", "–", "to", "through") and number > refs[-1]:
                    refs.extend(range(refs[-1] + 1, number + 1))  # "steps 2-4"
                else:
                    refs.append(number)
            j += 1
    return tuple(dict.fromkeys(refs))


def _quantified(view: TextView, clause: Clause) -> ScopeDraft | None:
    toks = view.toks
    quants = view.term_starts("QUANTIFIER")
    nouns = {m.start: m for m in view.mentions("term", clause.index) if m.label == "GENERAL_NOUN"}
    for i in range(clause.start, clause.end):
        if i not in quants:
            continue
        if toks[i].norm in _ALONE:
            return ScopeDraft()
        for j in range(i + 1, min(i + 5, clause.end)):
            noun = nouns.get(j)
            if noun is not None:
                longest = max(
                    (
                        m
                        for m in view.mentions("term", clause.index)
                        if m.label == "GENERAL_NOUN" and m.start == j
                    ),
                    key=lambda m: m.end - m.start,
                )
                return ScopeDraft(filter=None if longest.extra == "all" else longest.extra)
    return None


def _general_noun(view: TextView, clause: Clause) -> str | None:
    for m in view.mentions("term", clause.index):
        if m.label == "GENERAL_NOUN" and m.extra in ("api", "database"):
            longest = max(
                (
                    o
                    for o in view.mentions("term", clause.index)
                    if o.label == "GENERAL_NOUN" and o.start == m.start
                ),
                key=lambda o: o.end - o.start,
            )
            if longest.extra in ("api", "database") and view.toks[longest.end - 1].norm.endswith(
                "s"
            ):
                return longest.extra
    return None


def _vendors(view: TextView, clause: Clause) -> tuple[str, ...]:
    """'AWS calls', 'Google APIs': a vendor named outside any of its product names."""
    return tuple(
        dict.fromkeys(
            _VENDOR_ALIASES.get(t.norm, t.norm)
            for t in view.toks[clause.start : clause.end]
            if t.norm in view.vendors and t.i not in view.service_toks
        )
    )


_VENDOR_ALIASES = {"amazon": "aws", "gcp": "google"}


def _own_steps(targets: _Targets, clause: Clause) -> tuple[int, ...]:
    same = [s.start for s in targets.steps if s.clause == clause.index]
    if same:
        return tuple(same)
    view = targets.view
    lay = view.lay
    if clause.item is not None:
        same = [s.start for s in targets.steps if lay.clauses[s.clause].item == clause.item]
        if same:
            return tuple(same)
    if clause.chain is not None:
        same = [
            s.start
            for s in targets.steps
            if lay.clauses[s.clause].chain == clause.chain
            and lay.clauses[s.clause].segment == clause.segment
        ]
    return tuple(same)


_RATES = frozenset(
    (
        "throttle.per_unit",
        "throttle.rps",
        "throttle.per_second",
        "throttle.n_per_time",
        "throttle.token_bucket",
    )
)
_SCHEDULE = frozenset(
    (
        "hourly",
        "nightly",
        "daily",
        "weekly",
        "cron",
        "minutes",
        "hours",
        "minute",
        "hour",
        "days",
        "night",
        "morning",
    )
)


def _schedule_only(view: TextView, clause: int) -> bool:
    """Is the only pacing in this clause a schedule ('every 30 minutes', 'nightly')?"""
    cues = view.mentions("cue", clause)
    if any(c.rule in _RATES for c in cues):
        return False
    c = view.clause(clause)
    return any(t.norm in _SCHEDULE for t in view.toks[c.start : c.end])


def _unresolved_action(view: TextView, clause_index: int) -> bool:
    """Does the clause describe one concrete action (an asserted verb), whose target the
    text does not name as a service?"""
    clause = view.clause(clause_index)
    if _quantified(view, clause) is not None:
        return False
    return any(
        v.label in ("WRITE", "TRANSFER")
        and verb_form(view.toks[v.start].text) in ("base", "third")  # not "duplicate processing"
        and view.verbal(v)
        and view.read(v).modality == "asserted"
        for v in view.mentions("verb", clause_index)
    )


def _condition(view: TextView, clause: Clause) -> int | None:
    """The 'if/when ...' clause this one is the consequence of, when it names a service."""
    if clause.index == 0:
        return None
    prev = view.clause(clause.index - 1)
    if prev.sentence != clause.sentence or view.toks[prev.start].norm not in (
        "if",
        "when",
        "whenever",
        "once",
        "on",
    ):
        return None
    return prev.index if _named(view, prev, credential=False) else None


def _refers_back(view: TextView, clause: Clause) -> bool:
    return any(view.toks[i].norm in _STAND_IN for i in range(clause.start, clause.end))


def _previous_clause(view: TextView, clause: Clause) -> int | None:
    if clause.index == 0:
        return None
    prev = view.clause(clause.index - 1)
    return prev.index if prev.sentence == clause.sentence else None


# ---- numeric sequences ------------------------------------------------------------------------


_ROUTES = frozenset(
    [
        "go",
        "goes",
        "went",
        "land",
        "lands",
        "landed",
        "end",
        "ends",
        "ended",
        "sent",
        "written",
        "pushed",
        "published",
        "moved",
        "parked",
        "routed",
        "saved",
        "stored",
        "recorded",
        "captured",
        "dropped",
        "put",
        "placed",
        "enqueued",
        "forwarded",
        "redirected",
        "diverted",
    ]
)
_CONTAINERS = frozenset(("datastore",))


_RETRACTIONS = frozenset(
    (
        "neg.we_removed",
        "neg.turned_off",
        "neg.got_rid_of",
        "neg.stopped_using",
        "neg_back.removed",
        "neg_back.disabled",
        "neg_back.is_gone",
        "neg_back.are_gone",
        "neg_back.off",
    )
)


def _retractions(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'...was deduped on the order ID, but we dropped that': a retraction that points back.

    A retraction cue whose clause names no mechanism itself but refers back ("that", "it")
    negates what the previous clause of the sentence (or the previous sentence) asserted.
    """
    out: list[ClaimDraft] = []
    for cue in view.ann.of(Group.CONTEXT):
        if cue.rule not in _RETRACTIONS:
            continue
        index = view.lay.clause_of[cue.start]
        if any(c.clause == index for c in claims) or not _refers_back(view, view.clause(index)):
            continue
        previous = [
            c
            for c in claims
            if c.clause < index
            and c.reading.modality == "asserted"
            and c.kind not in ("webhook", "replay", "alerting")
        ]
        if not previous:
            continue
        last = max(c.clause for c in previous)
        if view.lay.sentence_of[view.clause(last).start] < view.lay.sentence_of[cue.start] - 1:
            continue
        for claim in previous:
            if claim.clause == last:
                out.append(
                    ClaimDraft(
                        claim.kind,
                        Reading("negated", (cue,)),
                        claim.scope,
                        cue.start,
                        cue.end,
                        index,
                        claim.rule,
                        claim.value,
                    )
                )
    return out


def _routed_failures(
    view: TextView, targets: _Targets, claims: list[ClaimDraft]
) -> list[ClaimDraft]:
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
        route = next((i for i in range(fail + 1, clause.end) if toks[i].norm in _ROUTES), None)
        if route is None:
            continue
        stores = [
            m.end
            for m in view.clause_services(clause.index)
            if m.start > route and m.info.role in _CONTAINERS
        ]
        stores += [i + 1 for i in range(route + 1, clause.end) if i in heads]
        if not stores:
            continue
        end = min(stores)
        mention = Mention(Group.CUE, "terminal_path", "dlq.failure_routed", fail, end)
        out.append(
            ClaimDraft(
                "terminal_path",
                view.read(mention),
                _scope(targets, clause.index, credential=False),
                fail,
                end,
                clause.index,
                "dlq.failure_routed",
            )
        )
    return out


def _delay_sequences(view: TextView, targets: _Targets) -> list[ClaimDraft]:
    """'1s, 2s, 4s, 8s' doubles (exponential); '1s, 2s, 3s' grows linearly (not)."""
    toks = view.toks
    out: list[ClaimDraft] = []
    i = 0
    while i < len(toks):
        values, j = _sequence(toks, i)
        if len(values) >= 3:
            ratios = [b / a for a, b in itertools.pairwise(values) if a > 0]
            diffs = [b - a for a, b in itertools.pairwise(values)]
            kind = None
            if ratios and all(r >= 1.5 for r in ratios) and max(ratios) - min(ratios) < 0.6:
                kind, rule = "backoff_exponential", "seq.doubling"
            elif diffs and all(d > 0 for d in diffs) and max(diffs) == min(diffs):
                kind, rule = "retry_fixed", "seq.linear"
            if kind is not None:
                clause = view.lay.clause_of[i]
                mention = Mention(Group.CUE, kind, rule, i, j)
                out.append(
                    ClaimDraft(
                        kind,
                        view.read(mention),
                        _scope(targets, clause, credential=False),
                        i,
                        j,
                        clause,
                        rule,
                    )
                )
            i = max(j, i + 1)
        else:
            i += 1
    return out


def _sequence(toks: list[Tok], i: int) -> tuple[list[float], int]:
    """Delays in seconds from i on ("500ms, 1s, 2s"); empty unless every value has a unit.

    Without units a list of numbers is not a schedule ("steps 1, 2 and 3").
    """
    values: list[float] = []
    j = i
    if i > 0 and toks[i - 1].norm in ("step", "steps", "stage", "stages", "node", "nodes"):
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
        if unit is None:
            return [], j
        values.append(float(m.group(1)) * _UNITS[unit])
        k = j
        while k < len(toks) and toks[k].norm in (",", "→", "->", "then", "and"):
            k += 1  # "1 s, then 2 s, then 4 s"
        if j < k < len(toks) and _DELAY.match(toks[k].text):
            j = k
            continue
        break
    return values, j
