"""Scope: what a claim is about, resolved once per clause.

Most specific evidence first, clause by clause:
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

import re
from dataclasses import replace

from workflow_prover.annotate.types import Tok, small_number
from workflow_prover.extract.claims.drafts import (
    GENERAL,
    NOWHERE,
    ClaimDraft,
    ScopeDraft,
    Targets,
)
from workflow_prover.extract.claims.quantifiers import (
    general_noun,
    kind_listed,
    quantified,
)
from workflow_prover.extract.claims.step_scope import (
    described,
    item_steps,
    named_pair,
    nominal_verbs,
    nominalised,
    own_steps,
    parent_item_steps,
    stem,
    store_before_relative,
    store_named,
    verb_stems,
)
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import (
    AUXILIARIES,
    DETERMINERS,
    PREPOSITIONS,
    RELATIVE_NOT_AFTER,
)
from workflow_prover.extract.layout.verbs import verb_form
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.found import SvcMention, preceded_by

__all__ = [
    "GENERAL",
    "NOWHERE",
    "ClaimDraft",
    "ScopeDraft",
    "Targets",
    "condition_clause",
    "named",
    "paragraph_before",
    "refers_back",
    "schedule_only",
    "scope_of",
    "unresolved_action",
]


def scope_of(targets: Targets, clause_index: int, credential: bool) -> ScopeDraft:
    """The scope of a claim in this clause (cached: pronouns inherit it)."""
    key = (clause_index, credential)
    if key not in targets.cache:
        # a clause whose scope is being resolved reads as general to the clauses it asks:
        # "no throttling, it's only ~200 a day" narrows to the next clause, which refers
        # back to this one, and without the mark the two ask each other without end
        targets.cache[key] = GENERAL
        targets.cache[key] = _resolve(targets, clause_index, credential)
    return targets.cache[key]


def _resolve(targets: Targets, index: int, credential: bool) -> ScopeDraft:
    view = targets.view
    clause = view.clause(index)
    exception = _exception(targets, clause, credential)
    if exception is not None:
        return exception
    conditioned = _conditions_previous(view, clause)
    if conditioned is not None:
        # "creates the org in Auth0, but only after looking for an org whose metadata
        # already holds that ID": the guard is the previous clause's action's
        return _via(scope_of(targets, conditioned, credential), "scope.condition_of_previous")
    plain = _resolve_plain(targets, clause, credential)
    narrowing = _narrowed_after(view, clause) if plain.general and not plain.filter else None
    if narrowing is not None:
        # "We've added exponential backoff with jitter; only the Ashby call uses it": the
        # exclusive clause after it says what the mechanism covers
        return _via(scope_of(targets, narrowing, credential), "scope.narrowed_after")
    return plain


def _conditions_previous(view: TextView, clause: Clause) -> int | None:
    """The clause before, when this one opens 'but only after/before/if ...' and names no
    service of its own: a condition on that clause's action."""
    toks = view.toks
    k = clause.start
    if k < clause.end and toks[k].norm in ("but", "and", ","):
        k += 1
    if not (
        k + 1 < clause.end and toks[k].norm == "only" and toks[k + 1].norm in _TEMPORAL
    ) or view.clause_services(clause.index):
        return None
    previous = clause.index - 1
    if previous < 0 or view.clause(previous).sentence != clause.sentence:
        return None
    return previous


def _narrowed_after(view: TextView, clause: Clause) -> int | None:
    """The next clause of the sentence, when it is an exclusive about the mechanism just
    named, by a pronoun ('only the Ashby call uses it', 'only Stripe has that')."""
    if clause.index + 1 >= len(view.lay.clauses):
        return None
    nxt = view.clause(clause.index + 1)
    if nxt.sentence != clause.sentence or not _exclusive(view, nxt):
        return None
    toks = view.toks
    pronoun = any(
        toks[k].norm in ("it", "them", "this", "that", "those") for k in range(nxt.start, nxt.end)
    )
    return nxt.index if pronoun and not view.mentions("cue", nxt.index) else None


def _exception(targets: Targets, clause: Clause, credential: bool) -> ScopeDraft | None:
    """'all APIs but Mailgun', 'every step except the Slack post', 'all secrets apart from the
    FTP login': the quantified (or general) claim, minus what the exception names: the steps
    of a service an action noun names ('except the Help Scout write-back' leaves out the
    write, not the webhook Help Scout sends us), else the service."""
    view = targets.view
    toks = view.toks
    excepts = view.catalog.words.except_word
    marker = next(
        (
            i
            for i in range(clause.start, clause.end)
            if toks[i].norm in excepts
            or (toks[i].norm == "but" and _after_quantifier(view, clause, i))
            or (
                toks[i].norm in ("apart", "other")
                and i + 1 < clause.end
                and toks[i + 1].norm in ("from", "than")
            )
        ),
        None,
    )
    if marker is None:
        return None
    # "every step except the Paymesh call dead-letters ...": what is left out is named even
    # where the name reads as the mechanism's host
    # ... up to the predicate: "every write except the Slack post is keyed on the uuid
    # (Pipedrive custom field ...)" leaves out only the Slack post
    stop = _exception_end(view, marker, clause.end)
    excepted = [
        m
        for m in view.clause_services(clause.index)
        if marker < m.start < stop and m.info.role in ("api", "datastore")
    ]
    refs = _step_refs(view, Clause(clause.index, marker, clause.end, clause.sentence))
    # "every step except the email writes its failures ...": an action noun names its steps
    # ... or its place ("all but the last step")
    by_action: tuple[int, ...] = ()
    if not excepted and not refs:
        by_action = _excepted_ordinal(targets, marker, clause.end) or _excepted_actions(
            targets, marker, clause.end
        )
    if not excepted and not refs and not by_action:
        return None
    named = {m.info.name: _named_steps(targets, m, clause.end) for m in excepted}
    base = quantified(view, clause) or ScopeDraft()
    return ScopeDraft(
        filter=base.filter,
        excluded=tuple(name for name, steps in named.items() if not steps),
        excluded_refs=refs,
        excluded_starts=(*(start for steps in named.values() for start in steps), *by_action),
        via=("scope.exception",),
    )


_ORDINALS = {"first": 0, "last": -1, "final": -1}
_STEP_NOUNS = frozenset(("step", "one", "call", "write", "hop", "stage"))


def _excepted_ordinal(targets: Targets, marker: int, end: int) -> tuple[int, ...]:
    """'all but the last step (the Postmark email)', 'every step except the first one': the
    step at that place in the order the text tells them."""
    toks = targets.view.toks
    k = marker + 1
    if k < end and toks[k].norm == "the":
        k += 1
    if k + 1 >= end or toks[k].norm not in _ORDINALS or toks[k + 1].norm not in _STEP_NOUNS:
        return ()
    return (targets.steps[_ORDINALS[toks[k].norm]].start,) if targets.steps else ()


def _excepted_actions(targets: Targets, marker: int, end: int) -> tuple[int, ...]:
    """The steps whose verb the noun phrase after 'except' names ('except the email', 'but
    the refunds'), up to the predicate: a verb word right after a determiner is the noun."""
    view = targets.view
    toks = view.toks
    said: set[str] = set()
    for k in range(marker + 1, min(end, marker + 5)):
        tok = toks[k]
        if tok.norm in AUXILIARIES or tok.text in ("(", ",", ";", ":"):
            break
        if k in view.verb_starts and k > marker + 1 and toks[k - 1].norm not in DETERMINERS:
            break  # "... | writes its failures": the predicate
        if tok.text.isalpha() and tok.norm not in DETERMINERS:
            said.add(stem(tok.norm))
    return tuple(s.start for s in targets.steps if said & verb_stems(targets, s))


def _named_steps(targets: Targets, m: SvcMention, end: int) -> tuple[int, ...]:
    """The steps on the service that a word right after its name names by their verb ('the
    Help Scout write-back', 'the Slack post'), or none."""
    said: set[str] = set()
    for t in targets.view.toks[m.end : min(m.end + 3, end)]:
        if t.norm in AUXILIARIES:
            break
        if t.text.isalpha():
            said.add(stem(t.norm))
    return tuple(
        s.start for s in targets.steps if m.info in s.services and said & verb_stems(targets, s)
    )


def _both_named(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'Both calls, account opening and customer creation, ...': "both" is exactly two, so
    where the clause names two steps by their nouns, the claim is about those two."""
    toks = targets.view.toks
    if not any(toks[i].norm == "both" for i in range(clause.start, clause.end)):
        return ()
    named_steps = named_pair(targets, clause) or nominalised(targets, clause)
    if len(named_steps) == 2:
        return named_steps
    # "Both calls back off": the two calls the text has so far, not a step a later turn adds
    if targets.calls is None:
        targets.calls = tuple(dict.fromkeys(s.start for s in targets.steps if not s.inbound))
    return targets.calls if len(targets.calls) == 2 else ()


def _before_ref(view: TextView, clause: Clause) -> bool:
    """Does the clause open with 'before step N' (or 'before steps N and M')?"""
    toks = view.toks
    head = [t.norm for t in toks[clause.start : min(clause.start + 3, clause.end)]]
    return (
        len(head) >= 2 and head[0] == "before" and head[1] in view.catalog.words.numbered_step_ref
    )


def _former_or_latter(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'The billing-svc write and the warehouse MERGE are both safe: the former sends an
    Idempotency-Key, the latter is keyed on the id': "the former" and "the latter" are the
    first and the second of the two steps the clauses just before name."""
    view = targets.view
    toks = view.toks
    head = [t.norm for t in toks[clause.start : min(clause.start + 2, clause.end)]]
    which = next((w for w in head if w in ("former", "latter")), None)
    if which is None:
        return ()
    for index in range(clause.index - 1, max(clause.index - 4, -1), -1):
        pair = named_pair(targets, view.clause(index)) or nominalised(targets, view.clause(index))
        if len(pair) == 2:
            return (pair[0],) if which == "former" else (pair[1],)
    return ()


def _exception_end(view: TextView, marker: int, end: int) -> int:
    """Where what an exception leaves out ends: at the clause's next auxiliary, verb or
    bracket ('except the Slack post | is keyed on ...')."""
    toks = view.toks
    verbs = view.verb_starts
    for k in range(marker + 1, end):
        if toks[k].norm in AUXILIARIES or toks[k].text == "(" or (k in verbs and k > marker + 1):
            return k
    return end


def _after_quantifier(view: TextView, clause: Clause, i: int) -> bool:
    """'all apis but geo-svc', 'everything but the Slack post': 'but' as 'except'."""
    quants = view.term_starts("QUANTIFIER")
    return any(k in quants for k in range(max(clause.start, i - 4), i))


def _resolve_plain(targets: Targets, clause: Clause, credential: bool) -> ScopeDraft:
    view = targets.view
    refs = _step_refs(view, clause)
    if not refs and clause.chain is not None and clause.segment > 0:
        # "failures in steps 1 and 3 → hubspot-dlq": the arrow routes what the first
        # segment names to the mechanism of the next
        first = next(c for c in view.lay.clauses if c.chain == clause.chain and c.segment == 0)
        refs = _step_refs(view, first)
    if refs and _before_ref(view, clause):
        # "Before step 2 the consumer inserts the event ID into erasure_processed": a guard
        # placed before a step gates it and every step after it
        later = [s.label for s in targets.steps if s.label is not None and s.label >= min(refs)]
        refs = tuple(sorted(set(later))) or refs
        return ScopeDraft(general=False, step_refs=refs, via=("scope.before_step",))
    if refs:
        return ScopeDraft(general=False, step_refs=refs, via=("scope.step_refs",))
    one_of_pair = _former_or_latter(targets, clause)
    if one_of_pair:
        return ScopeDraft(general=False, steps=one_of_pair, via=("scope.former_latter",))
    by_quantifier = quantified(view, clause)
    if by_quantifier is not None:
        pair = _both_named(targets, clause)
        if pair:  # "both calls, account opening and customer creation, carry ...": those two
            return ScopeDraft(general=False, steps=pair, via=("scope.both_named",))
        return _via(by_quantifier, "scope.quantified")
    mentions = [m for m in named(view, clause, credential) if not _included(view, m)]
    services = tuple(dict.fromkeys(m.info.name for m in mentions))
    if credential:
        services += _stand_ins(targets, mentions)
        services += tuple(o for o in _qualified_owners(view, clause) if o not in services)
    vendors = _vendors(view, clause)
    if services or vendors:
        within = item_steps(targets, clause, services)
        if within:
            return ScopeDraft(general=False, steps=within, via=("scope.item_steps",))
        kind = kind_listed(view, clause)
        if kind is not None and not vendors:
            # "stripe restricted key + db creds in secrets manager": Stripe and every database
            return ScopeDraft(filter=kind, also=services, via=("scope.services_and_kind",))
        previous = _previous_clause(view, clause)
        if previous is not None and view.toks[clause.start].norm in ("which", "that"):
            # "a new key, which now lives in Secrets Manager along with the Freshdesk key"
            earlier = scope_of(targets, previous, credential)
            services = tuple(dict.fromkeys((*earlier.services, *services)))
        return ScopeDraft(
            general=False, services=services, vendors=vendors, via=("scope.services",)
        )
    kind = general_noun(view, clause)
    if kind is not None:
        return ScopeDraft(filter=kind, via=("scope.general_noun",))
    own = store_named(targets, clause)
    if own:  # "payroll_runs has a unique constraint": the steps that write payroll_runs
        return ScopeDraft(general=False, steps=own, via=("scope.store_named",))
    own = described(targets, clause)
    if own:  # "the write-back is an upsert": the step its subject names, wherever it stands
        return ScopeDraft(general=False, steps=own, via=("scope.described",))
    own = own_steps(targets, clause)
    if own:
        return ScopeDraft(general=False, steps=own, via=("scope.own_steps",))
    own = parent_item_steps(targets, clause)
    if own:
        return ScopeDraft(general=False, steps=own, via=("scope.parent_item",))
    own = nominalised(targets, clause)
    if own:
        return ScopeDraft(general=False, steps=own, via=("scope.nominalised",))
    kinds = nominal_verbs(targets, clause)
    if kinds:  # "Refunds carry an Idempotency-Key" beside a schema's `adyen.refund`
        return ScopeDraft(general=False, verbs=kinds, via=("scope.nominal_verbs",))
    condition = _condition(view, clause)
    if condition is not None:  # "If NetSuite errors, we retry..."
        return _via(scope_of(targets, condition, credential), "scope.condition")
    condition = _condition(view, clause, any_subject=True)
    own = described(targets, view.clause(condition)) if condition is not None else ()
    if own:  # "when the leads query fails, the run writes its window to failed_windows"
        return ScopeDraft(general=False, steps=own, via=("scope.condition", "scope.described"))
    elaborated = _elaborated(view, clause)
    if elaborated is not None:
        return _via(scope_of(targets, elaborated, credential), "scope.elaborated")
    elliptical = _elliptical(view, clause)
    if elliptical is not None:
        earlier = scope_of(targets, elliptical, credential)
        if not earlier.general:
            return _via(earlier, "scope.elliptical")
    stored = store_before_relative(targets, clause)
    if stored is not None:  # "... in `otp_fallback_calls`, which has a unique constraint"
        if stored:
            return ScopeDraft(general=False, steps=stored, via=("scope.store_relative",))
        return _via(NOWHERE, "scope.store_relative")
    if refers_back(view, clause) or _result_of_previous(view, clause):
        previous = _previous_clause(view, clause)
        opening = view.catalog.words.opening_pronoun  # "its", "they": about the clause before
        if previous is None and clause.index > 0 and view.toks[clause.start].norm in opening:
            runs = _runner_sentence_steps(targets, clause)
            if runs:  # "a cron job reads grades from Canvas and inserts them into the SIS
                # database. It retries ...": the job, so every step it was said to do
                return ScopeDraft(general=False, steps=runs, via=("scope.runner_pronoun",))
            previous = clause.index - 1  # "... the LinkedIn API. Its token is in ..."
        if previous is not None:
            earlier = scope_of(targets, previous, credential)
            if earlier.excluded and view.toks[clause.start].norm in ("which", "who"):
                # "vault for everything except the segment key, which is in config.json":
                # the relative clause is about what was left out
                return ScopeDraft(
                    general=False, services=earlier.excluded, via=("scope.refers_back_excepted",)
                )
            return _via(earlier, "scope.refers_back")
    if _exclusive(view, clause):
        return _via(NOWHERE, "scope.exclusive_unresolved")
    labelled = _line_label(view, clause)
    if labelled:  # "**Snapsheet:** ...; on error we retry immediately": about Snapsheet
        return ScopeDraft(general=False, services=labelled, via=("scope.line_label",))
    return GENERAL


def _line_label(view: TextView, clause: Clause) -> tuple[str, ...]:
    """The service a line opens with as its label ('**Snapsheet:**', 'ClaimCenter:'), for a
    clause later on that line that names nothing itself."""
    toks = view.toks
    line = toks[clause.start].line
    k = clause.start
    while k > 0 and toks[k - 1].line == line:
        k -= 1  # the line's first token
    while k < clause.start and toks[k].text in ("*", "**", "-", "#", "_", "__"):
        k += 1
    m = next((m for m in view.services if m.start == k and m.info.role == "api"), None)
    if m is None or m.end >= len(toks):
        return ()
    j = m.end
    while j < len(toks) and toks[j].text in ("*", "**", "_", "__"):
        j += 1
    if j >= clause.start or toks[j].text != ":":
        return ()
    return (m.info.name,)


def _exclusive(view: TextView, clause: Clause) -> bool:
    """'only the leads insert is protected': an exclusive claim is about what it names, never
    about everything, even where that cannot be told."""
    toks = view.toks
    return any(
        toks[k].norm == "only"
        # "but only after looking for an org ...": a condition on the action before, no
        # exclusive of what the claim is about
        and not (k + 1 < clause.end and toks[k + 1].norm in _TEMPORAL)
        for k in range(clause.start, min(clause.start + 3, clause.end))
    )


_TEMPORAL = frozenset(("after", "before", "when", "if", "once", "until", "while"))


def _via(scope: ScopeDraft, rule: str) -> ScopeDraft:
    """The same scope, saying it was decided by `rule` (then by what decided the one it
    inherits)."""
    return replace(scope, via=(rule, *scope.via))


def _elaborated(view: TextView, clause: Clause) -> int | None:
    """'All but the Slack step have a failure path: failed orders go to erp_failed': a clause
    after a colon that names nothing spells out the one before it, so it has that scope."""
    toks = view.toks
    if clause.index == 0 or clause.start < 2 or toks[clause.start - 1].text != ":":
        return None
    if not toks[clause.start - 2].text[-1:].isalnum():
        return None  # '"on_failure": "..."': a key of a pasted document, not a sentence
    prev = view.clause(clause.index - 1)
    same_line = toks[prev.start].line == toks[clause.start].line
    return prev.index if prev.sentence == clause.sentence and same_line else None


def _elliptical(view: TextView, clause: Clause) -> int | None:
    """'sink: Postgres, upsert on psp_reference': a clause after a comma that opens with its
    verb has the subject of the clause before; a claim there is about what that one names."""
    toks = view.toks
    if clause.index == 0 or clause.start == 0 or toks[clause.start - 1].text != ",":
        return None
    if not any(v.start == clause.start for v in view.mentions("verb", clause.index)):
        return None
    prev = view.clause(clause.index - 1)
    if prev.trigger and prev.index > 0 and toks[prev.start - 1].text == ",":
        # "Steps 1-3 retry and, once retries are exhausted, write the record to X": the
        # subject is the one before the condition set off by commas
        prev = view.clause(prev.index - 1)
    return prev.index if prev.sentence == clause.sentence else None


def paragraph_before(view: TextView, clause: Clause) -> int | None:
    """The last clause of the sentence before, when this sentence opens its own clause list
    and goes on the same paragraph (no blank line, no new list item)."""
    if clause.index == 0:
        return None
    prev = view.clause(clause.index - 1)
    if prev.sentence != clause.sentence - 1 or prev.item != clause.item:
        return None
    toks = view.toks
    if toks[clause.start].line - toks[prev.end - 1].line > 1:
        return None
    return prev.index


def _included(view: TextView, m: SvcMention) -> bool:
    """'..., RabbitMQ included', 'including Stripe': named as one of everything, not alone."""
    toks = view.toks
    before = toks[m.start - 1].norm if m.start > 0 else ""
    after = toks[m.end].norm if m.end < len(toks) else ""
    words = view.catalog.words
    return before in words.included_before or after in words.included_after


def _stand_ins(targets: Targets, mentions: list[SvcMention]) -> tuple[str, ...]:
    """'writes to our accounts database ... RDS IAM auth': a product named only for its
    credentials is the one unnamed system of its kind the steps use; and the other way round,
    a generic system named only for its credentials is the one product of its kind."""
    used = {info.name: info for step in targets.steps for info in step.services}
    out: list[str] = []
    for m in mentions:
        if m.info.name in used:
            continue
        if m.info.generic:
            # "the worker's database password comes from DATABASE_URL": a generic system of
            # the kind of exactly one product the steps use is that product
            same = [
                i.name
                for i in used.values()
                if not i.generic and i.role == m.info.role and i.category == m.info.category
            ]
        else:
            same = [i.name for i in used.values() if i.generic and i.role == m.info.role]
        if len(same) == 1 and same[0] not in out and not _said_apart(targets, same[0], m):
            out.append(same[0])
    return tuple(out)


_CREDENTIAL_HEADS = frozenset(
    ("token", "tokens", "key", "keys", "secret", "secrets", "password", "credentials", "creds")
)


def _qualified_owners(view: TextView, clause: Clause) -> tuple[str, ...]:
    """'slack bot for IT requests ... the new bot token and the jira token now live in aws
    secrets manager': a credential qualified by a word the text names a system with ('slack
    bot', 'the Stripe webhook') is that system's, as a head noun names its product again; and
    a generic endpoint's credential by any word of its name ('POST to each customer's callback
    URL ... Callback signing secrets are read from Vault', 'the merchant signing secrets')."""
    toks = view.toks
    taken = {i for m in view.services for i in range(m.start, m.end)}
    at = {
        k
        for k in range(clause.start, clause.end - 1)
        if _credential_after(toks, k, clause.end)
        and toks[k].text.isalpha()
        and k not in taken
        and k - 1 not in taken  # "via n8n external secrets": n8n's own, said here
        and toks[k].norm not in DETERMINERS
    }
    # "the bot token", "our new webhook secret": a noun phrase's modifier, not "and"
    determined = {
        k
        for k in at
        if any(toks[j].norm in _OWNER_DETERMINERS for j in range(max(clause.start, k - 2), k))
    }
    qualifiers = {toks[k].norm for k in determined}
    # "Callback signing secrets are ...": a clause's first word qualifies a generic endpoint
    endpoint = qualifiers | {toks[k].norm for k in at if k == clause.start}
    if not endpoint:
        return ()
    owners = [
        o.info.name
        for o in view.services
        if o.info.role in ("api", "datastore")
        and (
            (o.end < len(toks) and o.end not in at and toks[o.end].norm in qualifiers)
            # "slack bot": the qualifier ends the name the lexicon knows
            or (o.end - o.start > 1 and toks[o.end - 1].norm in qualifiers)
            # "the merchant's callback URL": any word of a generic endpoint's name
            or (o.info.generic and any(t.norm in endpoint for t in toks[o.start : o.end]))
        )
    ]
    return tuple(dict.fromkeys(owners)) if len(set(owners)) == 1 else ()


_OWNER_DETERMINERS = DETERMINERS | frozenset(("per", "each", "every"))
# words between a credential's owner and its head noun: "the merchant HMAC signing secrets"
_CREDENTIAL_MODIFIERS = frozenset(("signing", "hmac", "api", "access", "shared", "private"))


def _credential_after(toks: list[Tok], k: int, end: int) -> bool:
    j = k + 1
    while j < end and toks[j].norm in _CREDENTIAL_MODIFIERS:
        j += 1
    return j < end and toks[j].norm in _CREDENTIAL_HEADS


def _said_apart(targets: Targets, name: str, m: SvcMention) -> bool:
    """'- Postgres: RDS IAM auth token ... - PioneerRx DB: ???': a system that titles a line
    of its own ('X: ...') has its own statement; another system's credential stands in for
    nothing."""
    view = targets.view
    toks = view.toks
    starts = {s for s, _ in view.lay.sentences}
    return any(
        o.info.name == name
        and view.lay.sentence_of[o.start] != view.lay.sentence_of[m.start]
        and (o.start in starts or toks[o.start - 1].text in ("-", "*"))
        and _titles_line(toks, o.end)
        for o in view.services
    )


def _titles_line(toks: list[Tok], k: int) -> bool:
    """Is a colon at k, or after up to two more words of the name ('PioneerRx DB:')?"""
    for j in range(k, min(k + 3, len(toks))):
        if toks[j].text == ":":
            return True
        if not toks[j].text.isalnum():
            return False
    return False


def named(view: TextView, clause: Clause, credential: bool) -> list[SvcMention]:
    """Services a claim in this clause is about: "the HubSpot client retries" names HubSpot,
    "keyed on the Shopify order ID" does not name Shopify (except for credentials)."""
    mentions = view.clause_services(clause.index)
    return [
        m
        for m in mentions
        if m.info.role in ("api", "datastore")
        and not view.is_host(m)
        and (credential or not (view.names_an_id(m) or _record_key(view, m)))
        and not (credential and _store_access(view, mentions, m))
        and not _paged_after_dlq(view, clause, m)
        and not _source_aside(view, clause, m)
    ]


def _record_key(view: TextView, m: SvcMention) -> bool:
    """'the note has the jira key in it': for a claim that is no credential's, a system's
    key right after its name is the key of its record (an identifier), not the system."""
    toks = view.toks
    return m.end < len(toks) and toks[m.end].norm in ("key", "keys")


def _source_aside(view: TextView, clause: Clause, m: SvcMention) -> bool:
    """'customerTransactionId = the deel timesheet uuid (stable, comes from deel)': a system a
    bracketed aside names as where something comes from is not what the claim is about."""
    lay = view.lay
    if lay.depth[m.start] <= lay.depth[clause.start] or m.start == 0:
        return False
    k = m.start - 1
    while k > clause.start and view.toks[k].norm in DETERMINERS:
        k -= 1
    return view.toks[k].norm in view.catalog.words.source_word


def _paged_after_dlq(view: TextView, clause: Clause, m: SvcMention) -> bool:
    """'exhausted → `lead-router-dlq` (SQS) + PagerDuty': an alerting service named after a
    terminal path is who is told about the failures, not what the path is for ('failed
    Slack posts go to the DLQ' is about the Slack posts: named before it)."""
    if m.info.category not in view.catalog.alert_categories:
        return False
    return any(
        c.label == "terminal_path" and c.end <= m.start for c in view.mentions("cue", clause.index)
    )


def _store_access(view: TextView, mentions: list[SvcMention], m: SvcMention) -> bool:
    """'Secrets are in 1Password via Connect', 'keys in 1password (connect server)': after a
    secret store, what comes 'via' or in its bracket is how the store is reached, not a
    service whose credentials it holds."""
    toks = view.toks
    depth = view.lay.depth
    if any(
        o.info.role == "secrets"
        and o.end < m.start
        and toks[o.end].text == "("
        and all(depth[k] > depth[o.start] for k in range(o.end + 1, m.end))
        for o in mentions
    ):
        return True
    if not preceded_by(m, toks, frozenset(("via", "through", "using")), reach=2):
        return False
    return any(o.info.role == "secrets" and o.end <= m.start for o in mentions)


def _step_refs(view: TextView, clause: Clause) -> tuple[int, ...]:
    toks = view.toks
    numbered = view.catalog.words.numbered_step_ref
    refs: list[int] = []
    for i in range(clause.start, clause.end):
        if toks[i].norm not in numbered:
            continue
        j = i + 1
        while j < clause.end and (
            _glued_range(toks[j].text)
            or small_number(toks[j].text) is not None
            or toks[j].norm in (",", "and", "&", "or", "to", "-", "–", "through")
        ):
            number = small_number(toks[j].text)
            if _glued_range(toks[j].text):
                refs.extend(_glued_range(toks[j].text))  # "steps 1–3" as one token
            elif number is not None:
                if refs and toks[j - 1].norm in ("-", "–", "to", "through") and number > refs[-1]:
                    refs.extend(range(refs[-1] + 1, number + 1))  # "steps 2-4"
                else:
                    refs.append(number)
            j += 1
    return tuple(dict.fromkeys(refs))


_GLUED_RANGE = re.compile(r"^(\d{1,4})[-–—](\d{1,4})$", re.ASCII)


def _glued_range(text: str) -> tuple[int, ...]:
    """'1–3' (one token: spaCy splits a hyphen only between letters) as steps 1, 2 and 3."""
    found = _GLUED_RANGE.match(text)
    if found is None:
        return ()
    low, high = int(found.group(1)), int(found.group(2))
    return tuple(range(low, high + 1)) if 0 < low < high else ()


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


def schedule_only(view: TextView, clause: int) -> bool:
    """Is the only pacing in this clause a schedule ('every 30 minutes', 'nightly')?"""
    cues = view.mentions("cue", clause)
    if any(c.states_rate for c in cues):
        return False
    c = view.clause(clause)
    schedule = view.catalog.words.schedule_word
    return any(t.norm in schedule for t in view.toks[c.start : c.end])


def unresolved_action(view: TextView, clause_index: int, cue_start: int = -1) -> bool:
    """Does the clause describe one concrete action (an asserted verb), whose target the
    text does not name as a service? A verb whose object is the cue itself carries the
    mechanism ("send one Idempotency-Key header across all retry attempts"), no action."""
    clause = view.clause(clause_index)
    if quantified(view, clause) is not None:
        return False
    toks = view.toks
    return any(
        v.label in ("WRITE", "TRANSFER")
        and not v.end <= cue_start <= v.end + 3
        and verb_form(toks[v.start].text) in ("base", "third")  # not "duplicate processing"
        and not (v.end < len(toks) and toks[v.end].norm in ("it", "them", "this", "that"))
        and view.verbal(v)
        and view.read(v).modality == "asserted"
        for v in view.mentions("verb", clause_index)
    )


def condition_clause(view: TextView, clause: Clause) -> int | None:
    """The 'if/when ...' clause this one is the consequence of, whatever it names."""
    return _condition(view, clause, any_subject=True)


def _condition(view: TextView, clause: Clause, any_subject: bool = False) -> int | None:
    """The 'if/when ...' clause this one is the consequence of, when it names a service (or
    whatever it names, with `any_subject`)."""
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
    return prev.index if any_subject or named(view, prev, credential=False) else None


def refers_back(view: TextView, clause: Clause) -> bool:
    """Does the clause stand in for something said before ('it', 'we dropped that')?"""
    stand_in = view.catalog.words.stand_in
    return any(
        view.toks[i].norm in stand_in
        and not _relative_pronoun(view, clause, i)
        and not _own_subject(view, clause, i)
        and not _relative_possessive(view, clause, i)
        for i in range(clause.start, clause.end)
    )


def _relative_possessive(view: TextView, clause: Clause, i: int) -> bool:
    """'events that exhaust their retries go to the DLQ': a possessive inside a relative
    clause is the relative clause's noun's; it points back at nothing before."""
    if view.toks[i].norm not in ("its", "their"):
        return False
    return any(_relative_pronoun(view, clause, k) for k in range(max(clause.start, i - 4), i))


def _own_subject(view: TextView, clause: Clause, i: int) -> bool:
    """'the note has the jira key in it': a pronoun after 'in' or 'on', in a clause whose
    subject is a noun of its own, is that subject; it points back at nothing before."""
    toks = view.toks
    if toks[i].norm in ("it", "them") and _relative_subject(view, clause, i):
        return True  # "a contact that fails ... lands in `contacts_failed` and the next run
        # replays it": the contact any of them is
    return (
        toks[i].norm in ("it", "them")
        and i - 1 > clause.start
        and toks[i - 1].norm in ("in", "on", "inside", "within")  # not "without it"
        and toks[clause.start + (toks[clause.start].norm == "and")].norm in ("the", "each", "every")
    )


def _relative_subject(view: TextView, clause: Clause, i: int) -> bool:
    """Does the clause open with an indefinite noun and a relative clause about it ('a contact
    that fails', 'any job which errors'), before the pronoun at i?"""
    toks = view.toks
    k = clause.start + (toks[clause.start].norm == "and")
    return (
        k + 2 < i
        and toks[k].norm in ("a", "an", "any", "each", "every")
        and toks[k + 1].text.isalpha()
        and toks[k + 2].norm in ("that", "which")
    )


def _relative_pronoun(view: TextView, clause: Clause, i: int) -> bool:
    """'a job that fails', 'the record which failed': 'that' after a noun opens a relative
    clause about that noun; it points back at nothing."""
    toks = view.toks
    if toks[i].norm not in ("that", "which", "who") or i == clause.start:
        return False
    prev = toks[i - 1]
    return (
        prev.text[:1].isalnum()
        and prev.norm not in PREPOSITIONS
        and prev.norm not in AUXILIARIES
        and prev.norm not in RELATIVE_NOT_AFTER
        # a verb-shaped word that is a noun here ("a message that fails") still takes one
        and not any(
            v.start == i - 1 and view.verbal(v) for v in view.mentions("verb", clause.index)
        )
    )


def _result_of_previous(view: TextView, clause: Clause) -> bool:
    """'..., so a replay can't double pay anyone': a result of the clause before."""
    return view.toks[clause.start].norm in view.catalog.words.result_opener


def _runner_sentence_steps(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """The steps of the sentence before, when its subject is a runner of ours ('a cron job',
    'the worker') named before its first verb: 'it' at the start of the next is that runner."""
    view = targets.view
    prev = view.clause(clause.index - 1)
    lo, _ = view.lay.sentences[prev.sentence]
    first = view.lay.clause_of[lo]
    runner = view.catalog.words.runner_noun
    clauses = range(first, prev.index + 1)
    if not any(  # a clause of it opens with the runner: "Gradebook sync: a cron job reads"
        view.verbal(v)
        and any(view.toks[k].norm in runner for k in range(max(lo, v.start - 3), v.start))
        for c in clauses
        for v in view.mentions("verb", c)
    ):
        return ()
    return tuple(
        s.start for s in targets.steps if view.lay.clauses[s.clause].sentence == prev.sentence
    )


def _previous_clause(view: TextView, clause: Clause) -> int | None:
    if clause.index == 0:
        return None
    prev = view.clause(clause.index - 1)
    return prev.index if prev.sentence == clause.sentence else None
