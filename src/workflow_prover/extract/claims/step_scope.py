"""Scope by step: a claim about the step its clause, item or segment describes, or the step it
names by its own words.

"(2) look up or create the customer in tax-engine (the create sends Idempotency-Key ...)" is
about item (2); "Orders whose issuance fails for good ..." names the issuing step by a noun
made from its verb; "the project-board add has no dedupe" names a step by its verb and words.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Group, Tok
from workflow_prover.extract.claims.drafts import Targets
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import AUXILIARIES, DETERMINERS, glued_hyphen
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.steps.actions import StepDraft


def item_steps(targets: Targets, clause: Clause, services: tuple[str, ...]) -> tuple[int, ...]:
    """A statement inside one numbered step or arrow segment is about that step: '(2) look up
    or create the customer in tax-engine (the create sends Idempotency-Key ...) => (3) commit
    in tax-engine' keys (2), not every tax-engine step. The item's steps on the services it
    names, where those services have steps outside the item too (else nothing narrows). A
    bullet without a number is no step of its own: '- ledger-api and Slack are called with
    backoff' restates calls, it does not narrow to itself."""
    if clause.item is None and clause.chain is None:
        return ()
    own = set(own_steps(targets, clause))
    named = set(services)
    inside = [
        s
        for s in targets.steps
        if s.start in own
        and named & {i.name for i in s.services}
        and (s.label is not None or clause.chain is not None)  # a numbered step, a segment
    ]
    outside = [
        s for s in targets.steps if s.start not in own and named & {i.name for i in s.services}
    ]
    return tuple(s.start for s in inside) if inside and outside else ()


def parent_item_steps(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'- Create the applicant in Workable\n    - keyed on the submission id': a bullet
    indented under a step's bullet, with no step of its own, is about that step."""
    if clause.item is None:
        return ()
    parent = _item_parents(targets).get(clause.item)
    if parent is None:
        return ()
    lay = targets.view.lay
    return tuple(s.start for s in targets.steps if lay.clauses[s.clause].item == parent)


def _item_parents(targets: Targets) -> dict[int, int | None]:
    """Each item's parent: the nearest item before it indented less (built once per text,
    with a stack, so a long list stays linear)."""
    if targets.parents is None:
        view = targets.view
        toks = view.toks
        parents: dict[int, int | None] = {}
        stack: list[tuple[int, int]] = []  # (indent, item index)
        for item in view.lay.items:
            indent = toks[item.start].indent
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parents[item.index] = stack[-1][1] if stack else None
            stack.append((indent, item.index))
        targets.parents = parents
    return targets.parents


def own_steps(targets: Targets, clause: Clause) -> tuple[int, ...]:
    own = [s for s in targets.steps if s.clause == clause.index]
    labels = {s.label for s in own if s.label is not None}
    if labels:
        # "Step 2: create the invoice in Xero ...; we search Xero by Reference first and skip
        # if it exists": a statement inside one labelled step is about all of that step
        return tuple(s.start for s in targets.steps if s.label in labels)
    if own:
        return tuple(s.start for s in own)
    view = targets.view
    lay = view.lay
    if clause.item is not None:
        # a bullet whose step restates an earlier one ("- We never write to Recurly without
        # an idempotency key. The note is skipped if ...") holds that step for its own
        # sentence only; its other sentences are about the flow, not that step
        same = [
            s.start
            for s in targets.steps
            if lay.clauses[s.clause].item == clause.item
            and (lay.clauses[s.clause].sentence == clause.sentence or not _restates(targets, s))
        ]
        if same:
            return tuple(same)
    if clause.chain is None:
        return ()
    return tuple(
        s.start
        for s in targets.steps
        if lay.clauses[s.clause].chain == clause.chain
        and lay.clauses[s.clause].segment == clause.segment
    )


def _restates(targets: Targets, step: StepDraft) -> bool:
    """Does an earlier step outside the step's own item already act, the same way, on the
    same systems? (Two cells of one table row are one step told twice, not a restatement.)"""
    clauses = targets.view.lay.clauses
    item = clauses[step.clause].item
    return any(
        o.start < step.start
        and o.action == step.action
        and o.services == step.services
        and clauses[o.clause].item != item
        for o in targets.steps
    )


def joined_step(targets: Targets, clause: int) -> tuple[int, ...]:
    """'We create or update the person in Attio': an action joined by 'or' to the next
    clause's is one step with it, the step of that clause."""
    view = targets.view
    clauses = view.lay.clauses
    if clause + 1 >= len(clauses) or clauses[clause + 1].sentence != clauses[clause].sentence:
        return ()
    nxt = clauses[clause + 1]
    if view.toks[nxt.start].norm != "or":
        return ()
    return tuple(s.start for s in targets.steps if s.clause == nxt.index)


def restated_step(targets: Targets, clause: int) -> tuple[int, ...]:
    """The one step of another clause whose verb an action of this clause, naming no system,
    repeats ('... sends one SMS through Twilio. We never send without first inserting the id
    into sms_sent'), or none."""
    view = targets.view
    said = {
        stem(view.toks[v.start].norm)
        for v in view.mentions("verb", clause)
        if v.label in ("WRITE", "TRANSFER") and view.verbal(v)
    }
    sentence = view.lay.clauses[clause].sentence
    hits = [
        s.start
        for s in targets.steps
        # a restatement comes after what it restates: "we create or update the person in
        # Attio" is no restatement of a create later in the text
        if view.lay.clauses[s.clause].sentence < sentence
        and s.action == "write"
        and said & verb_stems(targets, s)
    ]
    return tuple(hits) if len(hits) == 1 else ()


def store_named(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'payroll_runs has a unique constraint on gusto_payroll_uuid': a subject that is an
    identifier ('payroll_runs', 'orders-db') some steps name too ('writes a row to the
    `payroll_runs` table') is about those steps: a store's constraint guards its writes."""
    view = targets.view
    if not any(c.store_constraint for c in view.mentions("cue", clause.index)):
        return ()  # "`receipts-new` has a redrive policy": a queue's DLQ is no guard of writes
    toks = view.toks
    verbs = view.verb_starts
    end = next(
        (k for k in range(clause.start, clause.end) if k in verbs or toks[k].norm in AUXILIARIES),
        clause.end,
    )
    if end - clause.start > 6:
        return ()
    names = _identifiers(toks, clause.start, end)
    if not names:
        return ()
    return tuple(
        s.start
        for s in targets.steps
        if s.clause != clause.index and names & _identifiers(toks, s.start, s.end)
    )


def store_before_relative(targets: Targets, clause: Clause) -> tuple[int, ...] | None:
    """'... records the attempt in `otp_fallback_calls`, which has a unique constraint on
    `challenge_id`': a store's constraint in a relative clause right after the store's name
    is about that store, so it guards the steps that write it (none, where the store is
    only written as part of a mechanism), not the call before it. None where the clause is
    no such relative clause."""
    view = targets.view
    toks = view.toks
    if clause.start == 0 or toks[clause.start].norm not in ("which", "that"):
        return None
    if not any(c.store_constraint for c in view.mentions("cue", clause.index)):
        return None
    k = clause.start - 1
    while k > 0 and toks[k].text in (",", "`", "'", '"'):
        k -= 1
    lo = k
    while lo > 0 and not toks[lo - 1].ws and _name_char(toks[lo - 1]):
        lo -= 1
    names = _identifiers(toks, lo, k + 1)
    first = view.lay.sentences[clause.sentence][0]
    if not names or any(t.norm in ("before", "prior") for t in toks[first : clause.start]):
        return None  # "Before sending it inserts ... into `reminders_sent`, which ...": a guard
    return tuple(
        s.start
        for s in targets.steps
        if s.clause != clause.index and names & _identifiers(toks, s.start, s.end)
    )


def _name_char(tok: Tok) -> bool:
    return tok.text[:1].isalnum() or tok.text in ("_", "-")


def _identifiers(toks: list[Tok], lo: int, hi: int) -> set[str]:
    """The names of things written as one word with '_' or '-' inside ('payroll_runs', not
    the field 'gusto_payroll_uuid') in lo..hi."""
    out: set[str] = set()
    run: list[str] = []
    for k in range(lo, hi + 1):
        tok = toks[k] if k < hi else None
        if tok is not None and (tok.text[:1].isalnum() or tok.text in ("_", "-")):
            run.append(tok.norm)
            if tok.ws:
                _add_identifier(out, run)
            continue
        _add_identifier(out, run)
    return out


def _add_identifier(out: set[str], run: list[str]) -> None:
    word = "".join(run).strip("_-")
    run.clear()
    last = word.replace("-", "_").rpartition("_")[2]
    # "response_id goes into sent_sms": a field's name is no store
    if ("_" in word or "-" in word) and len(word) >= 5 and last not in _FIELD_ENDS:
        out.add(word)


_FIELD_ENDS = frozenset(("id", "ids", "uuid", "key", "keys", "ref", "sid", "number", "token"))


def described(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'the project-board add has no dedupe': a subject whose head is a step's own verb and
    that shares two content words or more with that step's text ('add it to the Triage
    project board'), and names no service, is about that step."""
    named = _function_named(targets, clause)
    if named:
        return named
    subject = subject_words(targets.view, clause)
    if subject is None:
        return ()
    head, words = subject
    said = frozenset(stem(w) for w in words)
    rest = words - {head}
    if rest and rest <= targets.view.catalog.words.verb_particle:
        # "the write-back is set to 'continue on error'": a verb-particle noun alone names
        # the one step with that verb, whatever its object
        hits = [s.start for s in targets.steps if stem(head) in verb_stems(targets, s)]
    # "the tag write is guarded by ...": a step noun for a head names the write by its object
    elif head in targets.view.catalog.words.step_noun:
        hits = [
            s.start
            for s in targets.steps
            if s.action == "write" and len((said - {stem(head)}) & _stems(targets, s)) >= 1
        ]
    else:
        hits = [
            s.start
            for s in targets.steps
            if names_step(head, said, verb_stems(targets, s), _stems(targets, s))
        ]
    return tuple(hits) if len(hits) == 1 else ()


def names_step(
    head: str, said: frozenset[str], verbs: frozenset[str], text: frozenset[str]
) -> bool:
    """Does a subject ('the leads query': head 'query', words {leads, query}, by stem) name the
    step with these verb stems and word stems: its head is the step's verb, and it shares two
    words with the step's text?"""
    return stem(head) in verbs and len(said & text) >= 2


def verb_stems(targets: Targets, step: StepDraft) -> frozenset[str]:
    """The stems of a step's action verbs, computed once per text."""
    key = ("verbs", step.start, step.clause)
    found = targets.words.get(key)
    if found is None:
        view = targets.view
        actions = view.frame(step.clause).actions
        found = frozenset(stem(view.toks[a.start].norm) for a in actions)
        targets.words[key] = found
    return found


def _stems(targets: Targets, step: StepDraft) -> frozenset[str]:
    """A step's words by stem, computed once per text (scope asks for every claim)."""
    key = ("stems", step.start, step.clause)
    found = targets.words.get(key)
    if found is None:
        toks = targets.view.toks
        found = targets.words[key] = frozenset(stem(t.norm) for t in toks[step.start : step.end])
    return found


def stem(word: str) -> str:
    """'invoices' and 'invoice', 'tags' and 'tag' are one word when a step is named."""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _function_named(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'issue_refund passes `idempotency_key=...`', 'send_refund_email first inserts ...': a
    function named for its step (a snake_case identifier opening the clause) is the one step
    whose verb is a word of the name."""
    view = targets.view
    toks = view.toks
    k, words = clause.start, []
    while k < clause.end and toks[k].text.isalpha():
        words.append(toks[k].norm)
        glued = k + 2 < clause.end and toks[k + 1].text == "_" and not toks[k].ws
        if not glued:
            break
        k += 2
    if len(words) < 2:
        return ()
    said = {stem(w) for w in words}
    hits = [s.start for s in targets.steps if said & verb_stems(targets, s)]
    return tuple(hits) if len(hits) == 1 else ()


def subject_words(view: TextView, clause: Clause) -> tuple[str, frozenset[str]] | None:
    """The subject of a clause that names no service and no quantity, as its head word and
    its content words ("when the leads query fails": query, {leads, query}), or None.
    Kept on the view per clause: the claims and the later turns' follow-ups both ask."""
    if clause.index not in view.subjects:
        view.subjects[clause.index] = _subject_words(view, clause)
    return view.subjects[clause.index]


def _subject_words(view: TextView, clause: Clause) -> tuple[str, frozenset[str]] | None:
    toks = view.toks
    verbs = {v.start for v in view.mentions("verb", clause.index) if view.verbal(v)}
    fails = view.term_starts("FAILURE_WORD")  # "when the leads query fails": before its verb
    # the subject ends at a failure word ("when the leads query fails": 'query' is no verb
    # there), unless an auxiliary comes first ("the write-back is set to 'continue on
    # error'"); else at its verb
    aux = next((k for k in range(clause.start, clause.end) if toks[k].norm in AUXILIARIES), None)
    end = next((k for k in range(clause.start, clause.end) if k in fails), None)
    if end is None or (aux is not None and aux < end):
        end = next(
            (
                k
                for k in range(clause.start, clause.end)
                if k in verbs or toks[k].norm in AUXILIARIES
            ),
            clause.start,
        )
    if end - clause.start < 2 or view.has_term("QUANTIFIER", clause.start, end):
        return None
    named = {k for m in view.clause_services(clause.index) for k in range(m.start, m.end)}
    while end - 1 > clause.start and toks[end - 1].norm in _RELATIVES:
        end -= 1  # "a refund that fails": the subject is the refund
    words = frozenset(
        toks[k].norm
        for k in range(clause.start, end)
        if len(toks[k].norm) >= 3
        and toks[k].norm.isalpha()
        and toks[k].norm not in DETERMINERS
        and k not in named
    )
    return _head(view, end - 1), words  # "add": the subject is named by the step's own verb


def _head(view: TextView, k: int) -> str:
    """The head word of a subject ending at token k; 'the write-back': the verb before a
    hyphen and its particle."""
    toks = view.toks
    if k >= 2 and toks[k].norm in view.catalog.words.verb_particle and glued_hyphen(toks, k - 1):
        return toks[k - 2].norm
    return toks[k].norm


_RELATIVES = frozenset(("that", "which", "who"))


def nominalised(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'Orders whose issuance fails for good are parked ...': a noun made from a step's verb
    (issuance, creation, payment, submission, opening), or its plural as the subject
    ('Refunds always carry an Idempotency-Key'), names the steps of that verb."""
    view = targets.view
    toks = view.toks
    nouns = [
        toks[i].norm
        for i in range(clause.start, clause.end)
        if len(toks[i].norm) >= 6 and toks[i].norm.endswith(_NOUN_SUFFIXES)
    ]
    # "Refunds always carry an Idempotency-Key": the subject is the verb's own plural noun
    first, noun = _subject_noun(toks, clause)
    subject = toks[first].norm if first is not None and noun else ""
    # "Sends and audit writes retry with ...": each plural of a coordinated subject
    listed = _listed_plurals(view, clause, first) if subject.endswith("s") else []
    # "so the patch goes out with ... as its Idempotency-Key": the verb itself as a noun,
    # after "the", names that step
    the_noun = _noun_after_the(toks, clause)
    if not nouns and not subject.endswith("s") and not the_noun:
        return ()
    by_verb, roots = _steps_by_verb(targets), _roots(targets)
    # a short verb counts as a name when written as an HTTP method is ("the GET loop")
    method = (
        the_noun
        if any(t.norm == the_noun and t.text.isupper() for t in toks[clause.start : clause.end])
        else ""
    )
    plural = the_noun[:-1] if the_noun.endswith("s") else ""  # "the sends are deduped"

    verbs = {
        v
        for v in (subject[:-1] if subject.endswith("s") else "", the_noun, plural)
        if len(v) >= 4 or (v and v == method)
    }
    verbs.update(w[:-1] for w in listed if len(w) >= 5)
    for n in nouns:  # the verbs whose root begins the noun ("issu" of "issuance")
        verbs.update(v for k in range(3, len(n) + 1) for v in roots.get(n[:k], ()))
        verbs.discard(n)
    found = {start for v in verbs if v in by_verb for start in by_verb[v]}
    return tuple(s.start for s in targets.steps if s.start in found)


def _subject_noun(toks: list[Tok], clause: Clause) -> tuple[int | None, bool]:
    """The clause's first word, and whether it is a noun: no object follows it ("refunds the
    charge" opens with the verb)."""
    first = next((i for i in range(clause.start, clause.end) if toks[i].text[:1].isalpha()), None)
    noun = first is not None and (
        first + 1 >= clause.end or toks[first + 1].norm not in DETERMINERS
    )
    return first, noun


def nominal_verbs(targets: Targets, clause: Clause) -> tuple[str, ...]:
    """'Refunds carry an Idempotency-Key' in a text whose steps are all in a schema: the verb
    whose plural noun is the clause's subject (a verb of the lexicon, written as a noun with
    no object after it), for the steps of that kind wherever they are read."""
    view = targets.view
    if targets.steps:
        return ()  # the prose's own steps: `nominalised` found none of that verb
    toks = view.toks
    first, noun = _subject_noun(toks, clause)
    if first is None or not noun or not toks[first].norm.endswith("s"):
        return ()
    if any(
        m.start == first for m in view.mentions("term", clause.index) if m.label == "GENERAL_NOUN"
    ):
        return ()  # "Writes are keyed", "Calls back off": every step of a kind, not one verb's
    return tuple(
        v.rule.removeprefix("verb.")
        for v in view.mentions("verb", clause.index)
        if v.start == first and v.rule.startswith("verb.")
    )


def _listed_plurals(view: TextView, clause: Clause, first: int | None) -> list[str]:
    """The plural nouns that end each part of a coordinated subject ('Sends and audit
    writes retry ...': sends, writes), up to the first cue of the clause; a part longer than
    two words is no subject noun."""
    if first is None:
        return []
    toks = view.toks
    cues = {c.start for c in view.mentions("cue", clause.index)}
    out: list[str] = []
    part: list[str] = []
    for k in range(first, min(first + 8, clause.end)):
        norm = toks[k].norm
        if k in cues or not (norm.isalpha() or norm == ","):
            break
        if norm in ("and", "or", ","):
            if part:
                out.append(part[-1])
            part = []
            continue
        part.append(norm)
        if len(part) > 2:
            return []
    if part:
        out.append(part[-1])
    return [w for w in out if w.endswith("s")] if len(out) > 1 else []


def _steps_by_verb(targets: Targets) -> dict[str, list[int]]:
    """Each verb of a step ('verb.create' -> 'create') and the steps it made, built once per
    text: a clause's nouns are then looked up, not compared with every step."""
    if targets.by_verb is None:
        targets.by_verb = {}
        for step in targets.steps:
            if step.rule.startswith("verb."):
                targets.by_verb.setdefault(step.rule.removeprefix("verb."), []).append(step.start)
    return targets.by_verb


def _roots(targets: Targets) -> dict[str, list[str]]:
    """The root a step verb's nouns begin with (its first letters but the last, four at
    least: "issu" for "issue", "creat" for "create"), to the verbs that have it."""
    if targets.roots is None:
        targets.roots = {}
        for verb in _steps_by_verb(targets):
            if len(verb) >= 3:
                root = verb[: max(4, len(verb) - 1)] if len(verb) > 4 else verb
                targets.roots.setdefault(root, []).append(verb)
    return targets.roots


def _noun_after_the(toks: list[Tok], clause: Clause) -> str:
    """The word after a clause-opening 'the' (past a connective: "so the patch goes out"),
    when a word follows it within the clause (the subject's verb): "patch"; else ''."""
    k = clause.start
    while k < clause.end and toks[k].norm in _OPENERS:
        k += 1
    if k + 2 >= clause.end or toks[k].norm != "the":
        return ""
    return toks[k + 1].norm if toks[k + 2].text[:1].isalpha() else ""


_OPENERS = frozenset(("so", "then", "and", "but", ","))


_NOUN_SUFFIXES = ("ance", "ence", "ation", "ition", "ment", "ssion", "sion", "al", "ery", "ing")


def guarded_steps(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'Before sending it inserts the charge id into sent_dunning and skips the send on
    conflict': a guard said to run before an action guards the steps of that action's verb
    (the same verb row), not the insert into its own table and not every write."""
    view = targets.view
    lo, hi = view.lay.sentences[clause.sentence]
    rules = {v.rule for v in view.verbs_after_before(lo, hi)}
    found = tuple(s.start for s in targets.steps if s.rule in rules and s.action == "write")
    return found or _guarded_kinds(targets, lo, hi)


def guarded_verbs(targets: Targets, clause: Clause) -> tuple[str, ...]:
    """'Before creating a ticket we do a conditional put ...' in a turn with no step of its
    own: the verbs the guard runs ahead of, for the steps of those verbs an earlier turn
    read."""
    if targets.steps:
        return ()  # this turn's own steps: `guarded_steps` found none of those verbs
    lo, hi = targets.view.lay.sentences[clause.sentence]
    return tuple(
        dict.fromkeys(
            v.rule.removeprefix("verb.")
            for v in targets.view.verbs_after_before(lo, hi)
            if v.rule.startswith("verb.")
        )
    )


def _guarded_kinds(targets: Targets, lo: int, hi: int) -> tuple[int, ...]:
    """'before each SMS we check the sent-messages table': a kind of message after 'before
    (each)' names the writes to services of that kind."""
    view = targets.view
    toks = view.toks
    kinds = {
        t.category
        for t in view.ann.of(Group.TERM)
        if t.label == "CATEGORY_HINT" and lo < t.start < hi and _after_before(toks, t.start)
    }
    if not kinds:
        return ()
    return tuple(
        s.start
        for s in targets.steps
        if s.action == "write" and any(i.category in kinds for i in s.services)
    )


def _after_before(toks: list[Tok], i: int) -> bool:
    """Is token i the noun of 'before (each|every|the|any) <noun>'?"""
    k = i - 1
    if k >= 0 and toks[k].norm in ("each", "every", "the", "any", "a", "an"):
        k -= 1
    return k >= 0 and toks[k].norm == "before"


def named_pair(targets: Targets, clause: Clause) -> tuple[int, ...]:
    """'The billing-svc write and the warehouse MERGE are both safe to repeat': a subject of
    two phrases, each naming one step (by its service or by its verb as a noun), names those
    two steps, in order."""
    view = targets.view
    toks = view.toks
    end = next(
        (k for k in range(clause.start, clause.end) if toks[k].norm in AUXILIARIES),
        clause.end,
    )
    parts, first = [], clause.start
    for k in range(clause.start, end + 1):
        if k == end or toks[k].norm == "and":
            parts.append((first, k))
            first = k + 1
    if len(parts) != 2:
        return ()
    first_step, second_step = (_phrase_step(targets, clause, lo, hi) for lo, hi in parts)
    if first_step is None or second_step is None or first_step == second_step:
        return ()
    return (first_step, second_step)


def _phrase_step(targets: Targets, clause: Clause, lo: int, hi: int) -> int | None:
    """The one step a noun phrase names: by a service it names ("the billing-svc write"), by
    its service's kind ("the warehouse MERGE"), or by a step verb in it; of several, the one
    write we make."""
    view = targets.view
    words = {view.toks[k].norm for k in range(lo, hi)}
    names = {m.info.name for m in view.clause_services(clause.index) if lo <= m.start < hi}
    by_service, by_kind = _steps_by_service(targets)
    if names:
        found = [s for name in names for s in by_service.get(name, ())]
    else:
        found = [s for word in words for s in by_kind.get(word, ())]
    if not found:
        by_verb = _steps_by_verb(targets)
        starts = {x for v in words & by_verb.keys() for x in by_verb[v]}
        found = [s for s in targets.steps if s.start in starts] if starts else []
    found = list({id(s): s for s in found}.values())
    if len(found) > 1:
        found = [s for s in found if s.action == "write" and not s.inbound]
    return found[0].start if len(found) == 1 else None


def _steps_by_service(
    targets: Targets,
) -> tuple[dict[str, list[StepDraft]], dict[str, list[StepDraft]]]:
    """The steps of each service name and of each service kind, built once per text."""
    if targets.by_service is None:
        names: dict[str, list[StepDraft]] = {}
        kinds: dict[str, list[StepDraft]] = {}
        for step in targets.steps:
            for info in step.services:
                names.setdefault(info.name, []).append(step)
                kinds.setdefault(info.category, []).append(step)
        targets.by_service = (names, kinds)
    return targets.by_service
