"""ConText: the modality of every mention, and which cue decided it.

As in NegEx/medspaCy's ConText: a cue (negation, plan or hedge, question, hypothetical,
instruction) opens a scope in its direction (FORWARD, BACKWARD or both) that runs to the end
of its clause, to a terminator ("but", ";", ":" forwards...), or to `max_scope` tokens. A
pseudo-cue that contains a cue cancels it ("not only", "no more than"). A target inside the
cue itself is in scope ("we turned the DLQ off"). A cue that merely overlaps a target does not
apply to it (the "no" of "no-op" does not negate it).

Two extensions, because users ask "why?" and write double negatives:
- every result records the cue(s) that decided it, with their lexicon ids and offsets;
- two negations cancel ("we never write without a key" asserts the key), unless they are
  items of one list ("no retries, no DLQ, nothing" negates each).
Precedence: hypothetical (and text addressed to the analyzer) > question > planned > negated.
A question mark scopes back over its whole sentence, up to a ';'.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from workflow_prover.annotate.types import Annotation, Group, Mention, Tok
from workflow_prover.extract.layout.clauses import Layout
from workflow_prover.extract.layout.grammar import (
    AUXILIARIES,
    COORDINATORS,
    DETERMINERS,
    NON_FINITE,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
    glued_hyphen,
    in_identifier,
)

_FARTHEST = 80  # tokens between a cue and the farthest target it can modify
_PRECEDENCE = ("INSTRUCTION", "HYPOTHETICAL", "HISTORICAL", "QUESTION", "PLANNED")
MODALITY = {
    "INSTRUCTION": "hypothetical",
    "HYPOTHETICAL": "hypothetical",
    "HISTORICAL": "historical",
    "QUESTION": "question",
    "PLANNED": "planned",
    "NEGATED": "negated",
}


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class Scope:
    cue: Mention
    lo: int
    hi: int


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class Reading:
    """The modality of one mention and the cues that made it so (empty: plainly asserted)."""

    modality: str
    cues: tuple[Mention, ...] = ()


ASSERTED = Reading("asserted")
_NOUN_BEFORE = DETERMINERS | PREPOSITIONS
_SHARED_SUBJECT = frozenset(("but", "and", "yet"))  # "... was added but is never sent"
_QUOTES = frozenset(('"', "`", "“"))  # marks that open a quote (a closing one is ”)


class ConText:
    def __init__(
        self,
        ann: Annotation,
        lay: Layout,
        claims: list[Mention] | None = None,
        finite: frozenset[str] = frozenset(),
        services: set[int] | frozenset[int] = frozenset(),
    ) -> None:
        """`finite`: verbs that end a negation's reach (the `FINITE_VERB` word class);
        `services`: the tokens of the services the text names (a cue's subject)."""
        self._ann = ann
        self._lay = lay
        self._finite = finite
        mentions = ann.of(Group.CONTEXT)
        pseudo = [m for m in mentions if m.direction == "PSEUDO"]
        # a colon or a bracket inside inline code (`concurrency: 1`) ends no scope
        code = lay.code
        self._terminators = [m for m in mentions if m.label == "TERMINATOR" and not code[m.start]]
        self._listed = _listing_brackets(ann.toks, self._terminators)
        # a negation that is part of a mechanism's own words ("no sleep", "no static keys",
        # "never fails") belongs to that mechanism and modifies nothing else
        claims = [
            c for c in (ann.of(Group.CUE) if claims is None else claims) if c.end - c.start > 1
        ]
        pseudo_at = _by_start(pseudo)
        claims_at = _by_start(claims)
        self._owns_negation = {  # "no backoff", "without delay": the cue opens with it
            (c.start, c.end)
            for m in mentions
            if m.label == "NEGATED" and m.direction == "FORWARD"
            for c in _containing(claims_at, m)
            if c.start == m.start
        }
        quantifiers = [t.start for t in ann.of(Group.TERM) if t.label == "QUANTIFIER"]
        claim_starts = {c.start for c in ann.of(Group.CUE)}
        cues = [
            m
            for m in mentions
            if m.label != "TERMINATOR"
            and m.direction != "PSEUDO"
            and not any(p.label == m.label for p in _containing(pseudo_at, m))
            # (an instruction to the tool stays one: "the team lead already signed off")
            and (m.label == "INSTRUCTION" or not any(True for _ in _containing(claims_at, m)))
            and not _possessive(ann.toks, m)
            and not in_identifier(ann.toks, m.start, m.end)  # `partner_order_no`
            and not _compound_word(ann.toks, m, claim_starts)  # "the day's no-shows"
            and not (m.effect == "exceptive" and _after_quantifier(m, quantifiers))
            and not (m.effect == "phrase_end" and _phrase_goes_on(ann.toks, m))
            and not (m.effect == "imperative" and _has_subject(ann.toks, lay, m, services))
        ]
        cues_at = _by_start(cues)
        cues = [
            m
            for m in cues
            if not any(
                o is not m and o.label == m.label and (o.end - o.start) > (m.end - m.start)
                for o in _containing(cues_at, m)
            )
        ]
        # a verb inside a mechanism's words is part of that mechanism: "not add the dead-letter
        # queue" negates the DLQ; "queue" is no verb that ends the negated phrase
        inside = {i for c in claims for i in range(c.start + 1, c.end)}
        verbs = [m for m in ann.of(Group.VERB) if m.start not in inside]
        # the words a negated verb list may continue with: action verbs and mechanism words
        # ("we don't retry, log or alert on anything")
        self._listable = {m.start for m in verbs} | {m.start for m in ann.of(Group.CUE)}
        self._verbs = {m.start for m in verbs}
        self._verb_end = {m.start: m.end for m in verbs}
        # "updates instead of duplicating on the same orderKey": a negated harm is the
        # negation's object; the phrase after it says when the harm would come and is not
        # denied ("no duplicate emails were sent" denies the sending: no phrase follows)
        toks = ann.toks
        self._harm_ends = sorted(
            c.end
            for c in ann.of(Group.CUE)
            if c.inverted and c.end < len(toks) and toks[c.end].norm in PREPOSITIONS
        )
        self.scopes = sorted((self._scope(m) for m in cues), key=lambda s: s.cue.start)
        self._starts = [s.cue.start for s in self.scopes]

    def _scope(self, cue: Mention) -> Scope:
        lay = self._lay
        if cue.reach == "sentence":
            # "a DLQ for when Jira is down would probably be smart": the whole sentence
            lo, hi = lay.sentences[lay.sentence_of[cue.start]]
            if cue.direction == "BACKWARD":
                hi = cue.start
            elif cue.direction == "FORWARD":
                lo = cue.end
            # "earlier drafts said there was no DLQ; that is outdated": up to a terminator
            clips = [t for t in self._terminators if self._ann.toks[t.start].text not in "()[]:"]
            lo = max([lo] + [t.end for t in clips if lo <= t.end <= cue.start])
            hi = min([hi] + [t.start for t in clips if cue.end <= t.start < hi])
            return Scope(cue, lo, hi)
        if cue.label == "INSTRUCTION" or cue.effect == "question_mark":
            lo, hi = lay.sentences[lay.sentence_of[cue.start]]
            if cue.effect == "question_mark":
                lo = max(
                    [lo]
                    + [
                        t.end
                        for t in self._terminators
                        if t.effect == "question_bound" and lo <= t.start < cue.start
                    ]
                )
                hi = cue.start
                lo = max(lo, self._enclosure(lo, cue.start))
            return Scope(cue, lo, hi)
        clause = lay.clauses[lay.clause_of[cue.start]]
        if cue.effect == "predicate":
            return self._predicate_scope(cue, clause.index)
        reach = cue.max_scope or 10_000
        toks = self._ann.toks
        if cue.label == "NEGATED" and self._relative(cue):
            # "any ASN that can't be processed, at either step, ends up in asn_parking", "a
            # result that still hasn't gone through is written to results_failed": the
            # negation stays inside its relative clause, which ends at a comma or where the
            # main clause's verb comes
            end = next(
                (
                    k
                    for k in range(cue.end + 1, clause.end)
                    if toks[k].text == ","
                    or (toks[k].norm in self._finite and toks[k - 1].norm not in NON_FINITE)
                ),
                None,
            )
            if end is not None:
                reach = min(reach, end - cue.end)
        if cue.effect == "verb":
            reach = min(reach, self._verb_phrase(cue) - cue.end)
        lo, hi = cue.start, cue.end
        if cue.direction in ("FORWARD", "BIDIRECTIONAL"):
            end = clause.end
            if cue.label == "NEGATED" and reach >= clause.end - cue.end:
                end = self._verb_list_end(clause.index)
            hi = min(
                [end, cue.end + reach]
                + [
                    t.start
                    for t in self._terminators
                    if t.start >= cue.end
                    and t.direction in ("FORWARD", "BIDIRECTIONAL")
                    and t.start not in self._listed
                ]
            )
            if cue.label == "NEGATED":
                k = bisect_left(self._harm_ends, cue.end + 1)
                if k < len(self._harm_ends) and self._harm_ends[k] < hi:
                    hi = self._harm_ends[k]
        if cue.direction in ("BACKWARD", "BIDIRECTIONAL"):
            lo = max(
                [clause.start, cue.start - reach]
                + [
                    t.end
                    for t in self._terminators
                    if t.end <= cue.start and t.direction in ("BACKWARD", "BIDIRECTIONAL")
                ]
            )
        return Scope(cue, lo, hi)

    def _predicate_scope(self, cue: Mention, index: int) -> Scope:
        """A denied predicate ("is never sent") reaches back over its subject, which ends
        at the clause's start or after the last verb before it ("messages retried twice that
        are not acked" leaves the retries alone), and forward over its own verb phrase. A
        clause that opens with "but"/"and" right before it has no subject of its own: "the
        `idempotency_key` column was added but is never sent" denies the previous clause's
        subject, up to that clause's first verb."""
        clauses, toks = self._lay.clauses, self._ann.toks
        clause = clauses[index]
        hi = min(self._verb_phrase(cue), clause.end)
        first = clause.start
        if (
            toks[first].norm in _SHARED_SUBJECT
            and first + 1 == cue.start
            and index > 0
            and clauses[index - 1].sentence == clause.sentence
        ):
            before = clauses[index - 1]
            subject_end = next(
                (k for k in range(before.start, before.end) if k in self._verbs), before.end
            )
            return Scope(cue, before.start, max(hi, subject_end))
        # a verb after a determiner or preposition is a noun ("behaviour for the POST")
        lo = max(
            [first]
            + [
                self._verb_end[k]
                for k in self._verbs
                if first < k < cue.start and toks[k - 1].norm not in _NOUN_BEFORE
            ]
        )
        return Scope(cue, lo, hi)

    def scopes_from(self, lo: int, hi: int) -> list[Scope]:
        """The scopes whose cue starts in [lo, hi), found by bisection (linear overall)."""
        return self.scopes[bisect_left(self._starts, lo) : bisect_left(self._starts, hi)]

    def _verb_list_end(self, index: int) -> int:
        """Where a negated list of verbs ends that the layout split into clauses: "we don't
        retry, log | or alert on anything" denies all three. The list goes on while the next
        clause of the sentence opens with 'or'/'nor' and a verb or mechanism word, or (after
        a comma) with one such word and an 'or'/'nor' in it or opening the clause after it."""
        clauses, toks = self._lay.clauses, self._ann.toks
        end = clauses[index].end
        k = index + 1
        while k < len(clauses) and clauses[k].sentence == clauses[index].sentence:
            first = clauses[k].start
            if toks[first].norm in ("or", "nor") and first + 1 in self._listable:
                end, k = clauses[k].end, k + 1
                continue
            following = clauses[k + 1] if k + 1 < len(clauses) else None
            last = any(toks[i].norm in ("or", "nor") for i in range(first, clauses[k].end))
            if (
                toks[first - 1].text == ","
                and first in self._listable
                and (
                    last  # ", alert on or keep failed SKUs": the list's last part
                    or (
                        following is not None
                        and following.sentence == clauses[k].sentence
                        and toks[following.start].norm in ("or", "nor")
                    )
                )
            ):
                end, k = clauses[k].end, k + 1
                continue
            break
        return end

    def _enclosure(self, lo: int, at: int) -> int:
        """Where the quote or bracket around token `at` opens (`lo` if none): 'on_error:
        "dlq?"' and '(is that right?)' question only what they enclose."""
        toks, depth = self._ann.toks, self._lay.depth
        for k in range(at - 1, lo - 1, -1):
            if depth[k] < depth[at]:
                return k + 1  # the bracket opens at k
            mark = toks[k].text
            if mark in _QUOTES and sum(toks[j].text == mark for j in range(lo, k + 1)) % 2:
                return k + 1
        return lo

    def _relative(self, cue: Mention) -> bool:
        """Is the cue inside a relative clause ('that still hasn't', 'which we can't')?"""
        toks = self._ann.toks
        for k in range(cue.start - 1, max(-1, cue.start - 4), -1):
            if toks[k].norm in ("that", "which", "who"):
                return True
            if not toks[k].text[:1].isalnum():
                return False
        return False

    def _verb_phrase(self, cue: Mention) -> int:
        """Where a negated verb's phrase ends: at the next verb or auxiliary.

        "payloads we can't process go to returns-intake-dlq": the negation denies
        "process", not the DLQ the sentence goes on to assert.
        """
        toks = self._ann.toks
        k = cue.end
        while k < len(toks) and k < cue.end + 2 and k not in self._verbs:
            if k > cue.end and toks[k].norm in self._finite and toks[k - 1].text[:1].isalpha():
                return k  # "anything the worker cannot finish is moved to ...": "is" ends it
            if toks[k].norm in ("be", "been", "being") and k + 1 < len(toks):
                # "a step that can't be compensated puts ... on the failures queue": the
                # participle after 'be' is the negated verb, whatever the lexicon knows
                return next((j for j in range(k + 2, len(toks)) if j in self._verbs), len(toks))
            k += 1
        if k not in self._verbs:
            after_auxiliary = toks[cue.start].norm in AUXILIARIES or (
                cue.start > 0 and toks[cue.start - 1].norm in AUXILIARIES
            )
            if not after_auxiliary:
                return len(toks)  # "Not a single call goes out without backoff": no verb
            # an unlisted verb after an auxiliary ("any step the job could not finish is
            # persisted to ..."): the negated phrase ends where the main clause's verb comes
            return next(
                (
                    j
                    for j in range(cue.end + 1, len(toks))
                    if toks[j].norm in self._finite and toks[j - 1].norm not in NON_FINITE
                ),
                len(toks),
            )
        for j in range(self._verb_end[k], len(toks)):
            finite = j in self._verbs and not toks[j].norm.endswith("ing")
            if toks[j - 1].norm in (",", "or", "nor") and j in self._verbs:
                continue  # "won't close, relabel or comment on": the negation covers the list
            if _in_name(toks, j):
                continue  # "into `sms_sent`": a verb inside an identifier ends no phrase
            if (finite or toks[j].norm in self._finite) and toks[j - 1].norm not in NON_FINITE:
                return j  # not "without first searching ...": that is the same phrase
        return len(toks)

    def read(self, target: Mention) -> Reading:
        """The modality of `target` from every cue whose scope holds it."""
        hits: list[Mention] = []
        # a cue further than _FARTHEST tokens from its target never reaches it: reading
        # stays linear in the text whatever the number of cues (hardening fault 2)
        lo = bisect_left(self._starts, target.start - _FARTHEST)
        hi = bisect_right(self._starts, target.end + _FARTHEST)
        # "no pacing and no backoff": a cue that opens with its own negation word ("no
        # backoff", a retry with no delay) means it already; a negation before it in a list
        # is not a second one
        own = (target.start, target.end) in self._owns_negation
        label_end = self._label_end(target)
        for scope in self.scopes[lo:hi]:
            cue = scope.cue
            if cue.kinds and target.label not in cue.kinds:
                continue  # a modifier of other kinds ("by hand" denies retries only)
            if own and cue.label == "NEGATED" and self._listed_before(cue, target):
                continue
            # a cue is one unit: "Retry On Fail: off" negates the whole cue, though the
            # backward scope's few tokens reach only into its tail
            reached = scope.lo <= target.start or (
                cue.direction == "BACKWARD" and target.start < scope.lo < target.end
            )
            # a cue is one unit for a negation bounded by its length too: "switched from
            # `PUT /products/_doc/{sku}` to ..." negates the PUT, though its few tokens end
            # inside the path
            inside = reached and (
                target.end <= scope.hi
                or (
                    cue.label == "NEGATED"
                    and cue.max_scope is not None
                    and target.start < scope.hi == cue.end + cue.max_scope
                )
            )
            if cue.label == "INSTRUCTION":
                if inside or cue.overlaps(target):
                    hits.append(cue)
            elif (
                cue.contains(target)
                or (not cue.overlaps(target) and inside)
                # "Kit stops retrying immediately": the negation ends on the cue's first word
                or (cue.label == "NEGATED" and cue.start < target.start < cue.end <= target.end)
                or (label_end is not None and self._answers_label(scope, label_end))
            ):
                hits.append(cue)
        if not hits:
            return ASSERTED
        if any(c.effect == "retraction" for c in hits):
            # "we tore out the DLX last week": the removal is dated, the mechanism is gone now
            hits = [c for c in hits if c.effect != "dated"]
        for label in _PRECEDENCE:
            chosen = [c for c in hits if c.label == label]
            if not chosen:
                continue
            # a deferral outweighs an intent: "we want to create the lead later" defers it
            deferring = [c for c in chosen if c.effect != "intent"]
            plan = _nearest(deferring or chosen, target)
            denied = [
                sc.cue
                for sc in self.scopes[lo:hi]
                if sc.cue.label == "NEGATED" and 0 <= sc.cue.start - plan.end <= 1
            ]
            if label == "PLANNED" and denied:
                # "the dlq might not make it into v1": a hedge that it may be absent is no
                # mechanism the design has; said later, it overrides the earlier assertion
                return Reading("negated", (plan, denied[0]))
            return Reading(MODALITY[label], (plan,))
        negations = _one_per_span(
            sorted((c for c in hits if c.label == "NEGATED"), key=lambda c: (c.start, -c.end))
        )
        # "we never write without a key", "there's no failure that isn't stored" cancel out;
        # negations in a list do not: "no sleep and no limiter", "no retries, no DLQ, nothing"
        if self._double_negative(negations):
            return Reading("asserted", tuple(negations))
        exceptive = self._exceptive_after(negations, target, lo, hi)
        if exceptive is not None:
            # "we never send without first inserting the id": the sending is asserted
            return Reading("asserted", (negations[0], exceptive))
        return Reading("negated", (_nearest(negations, target),))

    def _exceptive_after(
        self, negations: list[Mention], target: Mention, lo: int, hi: int
    ) -> Mention | None:
        """The 'without' after the target inside the scope of its one negation, if any."""
        if len(negations) != 1 or negations[0].effect == "exceptive":
            return None
        own = next((sc for sc in self.scopes[lo:hi] if sc.cue is negations[0]), None)
        if own is None:
            return None
        return next(
            (
                sc.cue
                for sc in self.scopes[lo:hi]
                if sc.cue.label == "NEGATED"
                and sc.cue.effect == "exceptive"
                and target.end <= sc.cue.start < own.hi
            ),
            None,
        )

    def _label_end(self, target: Mention) -> int | None:
        """The colon after a cue that labels its line ('Throttling: we haven't added any
        yet'), or the ellipsis or dash after a cue that opens its sentence on its own ('dlq...
        we should probably add one'), or None."""
        toks = self._ann.toks
        mark = target.end
        if mark >= len(toks) or toks[mark].text not in _LABEL_ENDS:
            return None
        first = toks[target.start]
        opens = first.line_start or (
            target.start > 0
            and toks[target.start - 1].text in _LABEL_MARKUP
            and toks[target.start - 1].line_start
        )
        if toks[mark].text != ":":
            opens = opens or target.start == 0 or toks[target.start - 1].text in _SENTENCE_ENDS
        return mark if opens else None

    def _answers_label(self, scope: Scope, colon: int) -> bool:
        """Does a modifier just after the label's colon reach a word that stands for the
        label ('we haven't added *any* yet', 'none so far')? It is about the label then."""
        cue = scope.cue
        if cue.label not in _LABEL_MODIFIERS or not colon < cue.start <= colon + _LABEL_REACH:
            return False
        toks = self._ann.toks
        return any(toks[k].norm in _STANDS_FOR_LABEL for k in range(scope.lo, scope.hi))

    def _listed_before(self, negation: Mention, target: Mention) -> bool:
        """Is the negation an earlier member of a list the target's own negation goes on
        ('no pacing and no backoff'), not the one governing it ('never retries without
        backoff', a double negative)?"""
        between = self._ann.toks[negation.end : target.start]
        return negation.end <= target.start and any(t.norm in COORDINATORS for t in between)

    def _double_negative(self, negations: list[Mention]) -> bool:
        toks = self._ann.toks
        groups = 1
        for first, second in itertools.pairwise(negations):
            between = toks[first.end : second.start]
            if second.effect == "continues":
                continue  # "neither A nor B": one negation
            if second.effect == "exceptive" or not any(t.norm in COORDINATORS for t in between):
                groups += 1  # "no request reaches A or B without passing the limiter"
        return groups % 2 == 0


def _in_name(toks: list[Tok], j: int) -> bool:
    """Is token j a word of an identifier or of inline code ('`sms_sent`', 'order-sync')?"""
    glued_before = not toks[j - 1].ws and toks[j - 1].text in ("_", "-", ".", "`")
    glued_after = j + 1 < len(toks) and not toks[j].ws and toks[j + 1].text in ("_", "-", ".")
    return glued_before or (glued_after and j + 2 < len(toks) and toks[j + 2].text.isalnum())


_LIST_WORDS = frozenset(("and", "or", "nor", "plus"))  # words that go on with a list
_LABEL_MARKUP = frozenset(("-", "*", "•", "#", "##", "###", "**"))  # before a line's label
_LABEL_MODIFIERS = frozenset(("NEGATED", "PLANNED", "HYPOTHETICAL"))
_LABEL_ENDS = frozenset((":", "...", "…", "—", "–"))  # 'DLQ: none yet', 'dlq... add one'
_SENTENCE_ENDS = frozenset((".", "!", "?", ";"))
_LABEL_REACH = 4  # "Throttling: we haven't ...": the modifier opens what follows the colon
_STANDS_FOR_LABEL = frozenset(("any", "none", "one", "it", "them", "that", "those", "anything"))


def _listing_brackets(toks: list[Tok], terminators: list[Mention]) -> frozenset[int]:
    """The brackets that go on with a list ('removing the retries (and the backoff with
    them) and the logging'): one opened by a coordinator, with its closing bracket. They end
    no forward scope: the negation runs through the list."""
    out: set[int] = set()
    for t in terminators:
        k = t.start
        if toks[k].text != "(" or k + 1 >= len(toks) or toks[k + 1].norm not in _LIST_WORDS:
            continue
        for j in range(k + 1, min(k + 40, len(toks))):
            if toks[j].text in ("(", ".", ";"):
                break
            if toks[j].text == ")":
                out.update((k, j))
                break
    return frozenset(out)


def _after_quantifier(cue: Mention, quantifiers: list[int]) -> bool:
    """'every step except the paymesh call dead-letters': after 'every', 'all', 'each' an
    exceptive word leaves something out of the claim's scope (see `scope`), it negates nothing."""
    return any(cue.start - 4 <= q < cue.start for q in quantifiers)


def _phrase_goes_on(toks: list[Tok], cue: Mention) -> bool:
    """Does a word follow the cue ("nothing here is hardcoded"), so its phrase goes on?"""
    return cue.end < len(toks) and toks[cue.end].text[:1].isalnum()


def _compound_word(toks: list[Tok], cue: Mention, claim_starts: set[int]) -> bool:
    """Is a one-word cue the first part of a hyphenated compound ('no-shows', 'no-reply')?
    The compound is a noun; its 'no' negates nothing ('no-retry' still denies the retry)."""
    k = cue.end
    return (
        cue.end - cue.start == 1
        and k + 1 not in claim_starts
        and glued_hyphen(toks, k)
        and toks[k + 1].text[:1].isalpha()
    )


def _has_subject(
    toks: list[Tok], lay: Layout, cue: Mention, services: set[int] | frozenset[int]
) -> bool:
    """Does the cue's verb have a subject before it in its clause, a system or a pronoun
    ("ledger-api and Modulr both treat it as ...", "we count it as ...")? Then it is no
    imperative; a label before a colon or comma ("prover: treat it as ...") is no subject."""
    start = lay.clauses[lay.clause_of[cue.start]].start
    for k in range(cue.start - 1, start - 1, -1):
        if toks[k].text in (":", ",", ";", "(", "-"):
            return False
        if k in services or toks[k].norm in _SUBJECTS:
            return True
    return False


_SUBJECTS = SUBJECT_PRONOUNS - {"you", "that", "which", "who"}


def _possessive(toks: list[Tok], cue: Mention) -> bool:
    """'in the incident's Slack channel', 'yesterday's pageviews': a cue whose last word owns
    what follows is a modifier of that noun, not a statement about the clause (a pseudo-cue
    by shape)."""
    return cue.end < len(toks) and toks[cue.end].norm in ("'s", "’s")


def _one_per_span(negations: list[Mention]) -> list[Mention]:
    """Cues that share words are one negation: "haven't set up retries" fires both "n't" and
    "n't set up", which would otherwise cancel as a double negative."""
    out: list[Mention] = []
    for cue in negations:
        if out and cue.start < out[-1].end:
            if cue.end - cue.start > out[-1].end - out[-1].start:
                out[-1] = cue
            continue
        out.append(cue)
    return out


_LONGEST = 16  # tokens: no lexicon modifier or cue is longer


def _by_start(mentions: list[Mention]) -> dict[int, list[Mention]]:
    out: dict[int, list[Mention]] = {}
    for m in mentions:
        out.setdefault(m.start, []).append(m)
    return out


def _containing(at: dict[int, list[Mention]], m: Mention) -> list[Mention]:
    """The mentions of `at` that contain `m` (found by their start: linear, not quadratic)."""
    return [
        o
        for start in range(max(0, m.end - _LONGEST), m.start + 1)
        for o in at.get(start, ())
        if o.contains(m)
    ]


def _nearest(cues: list[Mention], target: Mention) -> Mention:
    return min(cues, key=lambda c: abs(c.start - target.start))
