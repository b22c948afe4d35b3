"""Claims: every mention of a resilience mechanism, with its modality and scope.

Cues become claims here; what each claim is about is resolved in `scope`, and claims read
off the shape of the text (delay sequences, routed failures, retractions) in `derived`.
"""

from __future__ import annotations

from dataclasses import replace

from workflow_prover.annotate.types import Group, Mention, Tok
from workflow_prover.extract.claims.assignments import assigned_credentials
from workflow_prover.extract.claims.keyed import read_keys
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.claims.revisions import (
    denied_absences,
    removals_of_mechanisms,
    undecided_alternatives,
    without_answered_threats,
)
from workflow_prover.extract.claims.scope import (
    GENERAL,
    NOWHERE,
    ClaimDraft,
    ScopeDraft,
    Targets,
    named,
    paragraph_before,
    refers_back,
    schedule_only,
    scope_of,
    unresolved_action,
)
from workflow_prover.extract.claims.shapes import (
    delay_sequences,
    retractions,
    routed_failures,
    same_store,
    same_way,
)
from workflow_prover.extract.claims.step_scope import (
    guarded_steps,
    guarded_verbs,
    joined_step,
    restated_step,
)
from workflow_prover.extract.claims.tables import column_claims
from workflow_prover.extract.layout.grammar import CALL_PREPOSITIONS, PURPOSE_OPENERS
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.found import preceded_by
from workflow_prover.extract.steps.actions import NOT_DESIGN, StepDraft

__all__ = ["CREDENTIAL_KINDS", "ClaimDraft", "ScopeDraft", "find_claims", "implicit_steps"]

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
_RETRY_POLICY = frozenset(("retry_fixed", "retry_immediate", "backoff_exponential"))
_PER_WRITE = frozenset(("idempotency", "idempotency_store", "unstable_key"))


def find_claims(view: TextView, steps: list[StepDraft]) -> list[ClaimDraft]:
    targets = Targets(view, steps)
    claims: list[ClaimDraft] = []
    # a background section adds no claim, unless the flow itself is told there (the steps
    # were read from it: "## Context: every 5 minutes ship-svc ... upserts ... keyed on ...")
    told = bool(steps) and all(view.clause(s.clause).role == "background" for s in steps)
    for cue in view.cues:
        if not _in_design(view, view.lay.clause_of[cue.start], told):
            continue  # a heading, metadata, or a section that is not the current design
        if (
            _in_product_name(view, cue)
            or _in_quoted_title(view, cue)
            or _flag_name(view, cue)
            or _switch_named(view, cue)
            or _field_named(view, cue)
            or _step_type_name(view, cue)
            or _logged_name(view, cue)
        ):
            continue  # "the Okta System Log API", "**Catch Hook**": a name, no mechanism
        reading = view.read(cue)
        if cue.inverted:
            # "nobody is texted twice": the cue names the harm, its negation the mechanism
            if reading.modality == "asserted":
                continue
            if reading.modality == "negated" and any(c.effect == "silence" for c in reading.cues):
                continue  # "she didn't say anything about dupes": silence states no mechanism
            if reading.modality == "negated":
                reading = Reading("asserted", reading.cues)
        if cue.absent and reading.modality in ("asserted", "negated"):
            # "Front calls go out unthrottled": the cue says the mechanism is not there
            flipped = "negated" if reading.modality == "asserted" else "asserted"
            reading = Reading(flipped, reading.cues)
        clause = view.lay.clause_of[cue.start]
        scope = scope_of(targets, clause, credential=cue.label in CREDENTIAL_KINDS)
        if cue.label == "throttle_rate" and schedule_only(view, clause):
            continue  # "every 30 minutes (that's our rate limiting)": a schedule does not pace
        if cue.label == "terminal_path" and scope == GENERAL:
            received = _failure_class_of_receipts(view, targets, clause, cue.start)
            if received is not None:  # "payloads we can't parse go to the invoice-dlq"
                scope = received
        if cue.label in _PER_WRITE and scope in (GENERAL, NOWHERE):
            guarded = guarded_steps(targets, view.clause(clause))
            if guarded:  # "before sending it inserts the id into sent_dunning ..."
                scope = ScopeDraft(general=False, steps=guarded, via=("scope.guard_before",))
        if (
            cue.label in _PER_WRITE
            and scope == GENERAL
            and unresolved_action(view, clause, cue.start)
        ):
            # "writes the ID back onto the case, keyed on X": that write only; "we never send
            # without first inserting the id into sms_sent": the one send step named before
            joined = joined_step(targets, clause)
            restated = () if joined else restated_step(targets, clause)
            if joined:  # "we create or update the person in Attio": that one step
                scope = ScopeDraft(general=False, steps=joined, via=("scope.joined_action",))
            elif restated:
                scope = ScopeDraft(general=False, steps=restated, via=("scope.restated_action",))
            else:  # a later turn: "Before creating a ticket we ... skip duplicates"
                verbs = guarded_verbs(targets, view.clause(clause))
                scope = (
                    ScopeDraft(general=False, verbs=verbs, via=("scope.guard_before",))
                    if verbs
                    else NOWHERE
                )
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
            scope = scope_of(targets, clause, credential=True)
            claims.append(
                ClaimDraft(
                    "vault", view.read(mention), scope, svc.start, svc.end, clause, svc.info.rule
                )
            )
    sequences = delay_sequences(view, targets)
    if sequences:
        # "waits 1 s, then 2 s, then 4 s": the sequence, not its first delay, is the policy
        claims = [c for c in claims if not _inside_sequence(c, sequences)]
    claims += sequences
    claims += column_claims(targets)  # "| dedupe |" over "| order id |": the row's dedupe
    claims = read_keys(view, _without_block_headers(view, claims))
    claims = _same_mechanism_scoped(view, claims)
    claims += routed_failures(view, targets, claims)
    claims += same_way(view, targets, claims)
    claims += same_store(view, targets, claims)
    claims += retractions(view, claims, targets)
    claims = _keys_described(view, claims)
    claims = _waits_described(claims)
    claims = _without_defeated_purposes(view, claims)
    claims = undecided_alternatives(view, claims)
    claims = without_answered_threats(view, claims)
    claims = denied_absences(view, claims)
    claims = removals_of_mechanisms(view, claims)
    claims = assigned_credentials(view, claims)
    # whatever read them (a vault named as a service, a routed failure, a delay sequence), the
    # claims of a section that is not the current design are none; a heading's are kept
    # ("# ADYEN_KEY is injected from Vault" closing a pasted script reads as one)
    claims = [c for c in claims if _in_design(view, c.clause, told, headings=True)]
    return sorted(claims, key=lambda c: (c.start, c.kind))


def _in_design(view: TextView, clause: int, told: bool, headings: bool = False) -> bool:
    """Is the clause a statement of the current design: no heading or metadata (unless
    `headings`), not in a history, alternatives, questions or future section, and in a
    background section only where the flow itself is told there (`told`)?"""
    where = view.clause(clause)
    return not (
        (where.skipped and not headings)
        or where.role in NOT_DESIGN
        or (where.role == "background" and not told)
    )


def _failure_class_of_receipts(
    view: TextView, targets: Targets, clause: int, at: int
) -> ScopeDraft | None:
    """'an order payload we can't parse goes to orders_quarantine': the subject is a kind of
    failure a receive step meets (a delivery noun with a negated relative clause), so the
    terminal path covers the steps that receive, not every step."""
    toks = view.toks
    c = view.clause(clause)
    nouns = view.catalog.words.delivery_noun
    head = next((i for i in range(c.start, min(at, c.start + 5)) if toks[i].norm in nouns), None)
    if head is None or any(
        toks[k].norm in ("any", "every", "all", "each") for k in range(c.start, head)
    ):
        return None  # "any event the workflow cannot complete": every failure, not a kind
    denied = any(
        sc.cue.label == "NEGATED" and head < sc.cue.start and sc.hi <= at
        for sc in view.ctx.scopes_from(c.start, at)
    )
    if not denied:
        return None
    inbound = tuple(s.start for s in targets.steps if s.inbound)
    return ScopeDraft(general=False, steps=inbound, via=("scope.failure_class",))


_FLAG_VALUES = frozenset(("true", "false", "yes", "no", "on", "off", "enabled", "disabled"))


def _flag_name(view: TextView, cue: Mention) -> bool:
    """'store_failures: true', 'keep_errors=1': a terminal-path cue ends a setting's name and
    a flag's value follows; a setting named for failures is no store of failed work (while
    "continue-on-error: true" is the very setting its cue names)."""
    if cue.label != "terminal_path":
        return False  # "continue-on-error: true" is the setting it names
    toks = view.toks
    glued = cue.start > 0 and not toks[cue.start - 1].ws and toks[cue.start - 1].text[:1] != "`"
    if not glued or cue.end + 1 >= len(toks) or toks[cue.end - 1].ws:
        return False
    value = toks[cue.end + 1]
    return toks[cue.end].text in (":", "=") and (value.norm in _FLAG_VALUES or value.text.isdigit())


_NAME_JOINS = frozenset(("_", "-", "."))


def _switch_named(view: TextView, cue: Mention) -> bool:
    """'`retry_dlq_enabled` exists because the lib can park exhausted retries': a cue inside
    an identifier that names a switch (a FLAG_WORD part) names the switch, not its state;
    with no value after it (`dlq_enabled: false` is read by its value) and no word that sets
    it ("set `dlq_enabled`", "`dlq_enabled` is on"), it states no mechanism."""
    toks = view.toks
    lo, hi = cue.start, cue.end
    while lo > 0 and not toks[lo - 1].ws and _name_part(toks[lo - 1]):
        lo -= 1
    while hi < len(toks) and not toks[hi - 1].ws and _name_part(toks[hi]):
        hi += 1
    if not any(toks[i].norm in view.catalog.words.flag_word for i in range(lo, hi)):
        return False
    if hi - lo < 3 or (hi < len(toks) and not toks[hi - 1].ws and toks[hi].text in (":", "=")):
        return False  # a word, not a name joined by `_`; or a key with its value
    quoted = lo > 0 and hi < len(toks) and toks[lo - 1].text == "`" == toks[hi].text
    opening, closing = (lo - 1, hi) if quoted else (lo, hi - 1)
    setting = view.catalog.words.setting_word
    return not (_switched_on(toks, opening, closing, setting) or _set_on(toks, closing + 1))


def _field_named(view: TextView, cue: Mention) -> bool:
    """'the `retry_count` column', 'parked in notify_dlq': a cue word that modifies the head
    of a snake_case or kebab-case name is a word of that name, no mechanism, where the head
    names a record's field (a RECORD_FIELD word: count, id, at) or starts a store of another
    kind (the DLQ of `notify_dlq` is no alerting; `exponential_jitter` is both). A name
    whose head is the mechanism's own word (`idempotency_key`, `retry_policy`) states it."""
    toks = view.toks
    hi = cue.end
    if hi + 1 >= len(toks) or toks[hi - 1].ws or toks[hi].text not in ("_", "-"):
        return False
    if any(t.text in _NAME_JOINS for t in toks[cue.start : hi]):
        return False  # the cue's own pattern spans the name (`dedupe_key`, `max_retries`)
    while hi + 1 < len(toks) and toks[hi].text in ("_", "-") and not toks[hi - 1].ws:
        if toks[hi].ws or not toks[hi + 1].text.isalnum():
            break
        hi += 2
    if hi == cue.end:
        return False
    head = hi - 1
    if toks[head].norm in view.catalog.words.record_field:
        return cue.label not in _PER_WRITE  # `dedupe_id`, `idempotency_id` are its keys

    return any(
        o.label in _STORE_KINDS - {cue.label} and o.start <= head < o.end and o.start >= cue.end - 1
        for o in view.cues
    )


# a store's name says what it holds (`notify_dlq`, `retry_failures`); a policy's name may
# join two mechanisms (`exponential_jitter` is both)
_STORE_KINDS = frozenset(("terminal_path", "idempotency_store"))


_ON_VALUES = frozenset(("true", "on", "yes", "1", "enabled"))


def _set_on(toks: list[Tok], k: int) -> bool:
    """'... `retry_dlq_enabled` set to true', '... is on': the switch named, then set on."""
    for words in (("is", "are", "was", "stays"), ("set", "turned", "switched"), ("to",)):
        if k < len(toks) and toks[k].norm in words:
            k += 1
    return k < len(toks) and toks[k].norm in _ON_VALUES


def _logged_name(view: TextView, cue: Mention) -> bool:
    """'the lambda logs `mirror_dlq_candidate` with the ticket id', 'emits a
    `retry_exhausted` metric': a cue inside an identifier (glued, or in inline code) that a
    logging verb takes as its object names a log line or a metric, no mechanism."""
    toks = view.toks
    lo, hi = cue.start, cue.end
    while lo > 0 and not toks[lo - 1].ws and _name_part(toks[lo - 1]):
        lo -= 1
    while hi < len(toks) and not toks[hi - 1].ws and _name_part(toks[hi]):
        hi += 1
    coded = view.lay.code[cue.start] if cue.start < len(view.lay.code) else False
    if hi - lo < 2 and not coded:
        return False  # a plain word ("logs the failure to the DLQ") is read as written
    k = lo - 1
    while k >= 0 and (toks[k].text in ("`", "'", '"') or toks[k].norm in ("a", "an", "the")):
        k -= 1
    return k >= 0 and toks[k].norm in view.catalog.words.log_verb


def _name_part(tok: Tok) -> bool:
    return tok.text in _NAME_JOINS or tok.text.isalnum()


def _waits_described(claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'the wait between tries doubles each time': a wait named with no length of its own,
    then said in its clause to grow exponentially, is that backoff, not a fixed interval."""
    growing = {
        (c.clause, c.start)
        for c in claims
        if c.kind == "backoff_exponential" and c.reading.modality == "asserted"
    }
    return [
        c
        for c in claims
        if not (
            c.kind == "retry_fixed"
            and c.value is None
            and any(clause == c.clause and start >= c.end for clause, start in growing)
        )
    ]


def _step_type_name(view: TextView, cue: Mention) -> bool:
    """'saved as an environment variable on that Code step', 'the Retry node': a Title Case
    last word followed by a step noun names a type of step of the workflow tool, not where
    a credential is kept or a mechanism of its own."""
    toks = view.toks
    last = cue.end - 1
    return cue.end < len(toks) and _titled(toks, last) and cue.end in view.term_starts("STEP_REF")


def _titled(toks: list[Tok], i: int) -> bool:
    """A Title Case word ("Retry", "Catch"): a word of a name, in the two name checks below."""
    return toks[i].text[:1].isupper() and toks[i].text.isalpha()


def _in_product_name(view: TextView, cue: Mention) -> bool:
    """Is the cue a capitalised word between a service's name and its 'API' ('Okta System Log
    API', 'Stripe Retry API' is no retry)?"""
    toks = view.toks
    heads = view.catalog.words.product_head

    if not all(_titled(toks, i) for i in range(cue.start, cue.end)):
        return False
    ends = {m.end for m in view.services if m.info.role == "api"}
    lo = cue.start
    while lo > 0 and lo not in ends and _titled(toks, lo - 1) and lo - 1 > cue.start - 4:
        lo -= 1
    hi = cue.end
    while hi < len(toks) and _titled(toks, hi) and toks[hi].norm not in heads and hi < cue.end + 3:
        hi += 1
    return lo in ends and hi < len(toks) and toks[hi].norm in heads


_QUOTE_MARKS = frozenset(("**", "*", "__", "'", '"', "“", "”", "‘", "’"))


def _in_quoted_title(view: TextView, cue: Mention) -> bool:
    """Is the cue a word of a Title Case name set in bold or quotes ('Event: **Catch Hook**',
    'the "Retry Failed" button'): the name of an app's event or control, no mechanism."""
    toks = view.toks

    if not all(_titled(toks, i) for i in range(cue.start, cue.end)):
        return False
    lo, hi = cue.start, cue.end
    while lo > 0 and _titled(toks, lo - 1):
        lo -= 1
    while hi < len(toks) and _titled(toks, hi):
        hi += 1
    return (
        hi - lo >= 2
        and lo > 0
        and hi < len(toks)
        and toks[lo - 1].text in _QUOTE_MARKS
        and toks[hi].text in _QUOTE_MARKS
        and not _switched_on(toks, lo - 1, hi, view.catalog.words.setting_word)
    )


_LINKS = frozenset(("to", "on", "is", "are", "was", "as"))  # "set to", "turned on", "is on"


def _switched_on(toks: list[Tok], opening: int, closing: int, setting: frozenset[str]) -> bool:
    """Is the quoted control between `opening` and `closing` a setting that is on: "set to
    'Continue On Fail'", "'Retry On Fail' is enabled", "'Retry On Fail' on for both nodes"?
    Then the control's words state its mechanism (not "the 'Retry Failed' button")."""
    k = opening - 1
    while k >= 0 and opening - k <= 2 and toks[k].norm in _LINKS:
        k -= 1
    if k >= 0 and toks[k].norm in setting:
        return True
    k = closing + 1
    while k < len(toks) and k - closing <= 2 and toks[k].norm in ("is", "are", "was", "stays"):
        k += 1
    if k >= len(toks):
        return False
    after = toks[k + 1] if k + 1 < len(toks) else None
    if toks[k].norm == "on":  # "... on for both nodes", not "... on the dashboard"
        return after is None or not after.text.isalpha() or after.norm == "for"
    return toks[k].norm in setting and toks[k].norm.endswith("ed")  # "is enabled"


def _without_defeated_purposes(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'Each attempt sends `Idempotency-Key: uuid4()` so ClearLedger can dedupe': the dedupe
    is what the key is for, and the key changes on every attempt, so the purpose clause
    asserts no idempotency of its own."""
    unstable = {
        view.lay.sentence_of[c.start]: c.clause
        for c in claims
        if c.kind == "unstable_key" and c.reading.modality == "asserted"
    }
    toks = view.toks
    return [
        c
        for c in claims
        if not (
            c.kind in ("idempotency", "idempotency_store")
            and unstable.get(view.lay.sentence_of[c.start], c.clause) < c.clause
            and toks[view.clause(c.clause).start].norm in PURPOSE_OPENERS
        )
    ]


def _keys_described(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'Metronome deduplicates on `transaction_id`. We build it as f"{id}-{now()}"': a key
    built unstably, said of 'it', is the key of the idempotency statement just before (same
    paragraph), so it has that statement's scope."""
    out: list[ClaimDraft] = []
    for claim in claims:
        if claim.kind == "unstable_key" and claim.scope == GENERAL:
            clause = view.clause(claim.clause)
            before = paragraph_before(view, clause) if refers_back(view, clause) else None
            keyed = [
                c
                for c in claims
                if before is not None
                and c.kind == "idempotency"
                and view.lay.sentence_of[c.start] == view.clause(before).sentence
                and c.reading.modality == "asserted"
            ]
            if keyed:
                claim = replace(claim, scope=keyed[-1].scope)
        out.append(claim)
    return out


_FAMILY = {
    "idempotency_store": "idempotency",
    **{kind: "retry" for kind in _RETRY_POLICY},
    "throttle_concurrency": "throttle_rate",
}


def _same_mechanism_scoped(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'the Rabbit publish sets `x-deduplication-header`, and the exchange runs the dedup
    plugin': a second statement of the same mechanism, in the clause right after the first
    and naming nothing of its own, spells out the first one; it has that one's scope, not the
    whole design's. Never the other way round: a general statement first ('every write is
    keyed ...: the GCS name is deterministic, ...') is spelled out by the specific ones."""

    def family(claim: ClaimDraft) -> str:
        return _FAMILY.get(claim.kind, claim.kind)

    by_clause: dict[int, list[ClaimDraft]] = {}
    for c in claims:
        by_clause.setdefault(c.clause, []).append(c)
    out: list[ClaimDraft] = []
    for claim in claims:
        if (
            claim.scope == GENERAL
            and claim.reading.modality == "asserted"
            and claim.kind not in CREDENTIAL_KINDS
            and _continues(view, claim.clause)
        ):
            sentence = view.lay.sentence_of[claim.start]
            scoped = [
                c.scope
                for c in by_clause.get(claim.clause - 1, ())
                if family(c) == family(claim)
                and view.lay.sentence_of[c.start] == sentence
                and c.reading.modality == "asserted"
                and (c.scope.services or c.scope.steps or c.scope.step_refs)
                and not c.scope.general
            ]
            if scoped:
                via = (*scoped[0].via, "scope.same_mechanism")
                claim = replace(claim, scope=replace(scoped[0], via=via))
        out.append(claim)
    return out


def _continues(view: TextView, index: int) -> bool:
    """Is the clause joined to the one before by 'and' or a comma (not a ';' or ':')?"""
    clause = view.clause(index)
    toks = view.toks
    return toks[clause.start].norm == "and" or (
        clause.start > 0 and toks[clause.start - 1].text == ","
    )


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
        for svc in named(view, clause, credential=False):
            if svc.info.name in known or svc.info.role not in ("api", "datastore"):
                continue
            if not preceded_by(svc, view.toks, CALL_PREPOSITIONS, reach=3):
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


def _inside_sequence(claim: ClaimDraft, sequences: list[ClaimDraft]) -> bool:
    return claim.kind in _RETRY_POLICY and any(
        q.start < claim.end and claim.start < q.end for q in sequences
    )


def _without_block_headers(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'rate_limits:' over '  servicenow: 20 rps': the header names the mechanism, the
    indented lines under it say where it applies, so the header claims nothing on its own."""
    text = view.ann.text
    toks = view.toks
    drop: set[int] = set()
    for n, claim in enumerate(claims):
        if claim.end + 1 >= len(toks) or toks[claim.end].text != ":":
            continue
        if "\n" not in text[toks[claim.end].end : toks[claim.end + 1].start]:
            continue  # "rate_limits: 20 rps" says it on its own line
        block = _indented_block(text, toks[claim.start].start)
        if any(
            other.kind == claim.kind
            and other is not claim
            and block[0] <= toks[other.start].start < block[1]
            for other in claims
        ):
            drop.add(n)
    return [c for n, c in enumerate(claims) if n not in drop] if drop else claims


def _indented_block(text: str, at: int) -> tuple[int, int]:
    """The character span of the lines indented under the line holding `at`."""
    line_start = text.rfind("\n", 0, at) + 1
    indent = len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))
    start = text.find("\n", at)
    if start < 0:
        return (len(text), len(text))
    end = start + 1
    while end < len(text):
        nl = text.find("\n", end)
        line = text[end : nl if nl >= 0 else len(text)]
        if line.strip() and len(line) - len(line.lstrip(" \t")) <= indent:
            break
        end = nl + 1 if nl >= 0 else len(text)
    return (start + 1, end)
