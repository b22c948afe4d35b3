"""Retraction by a mechanism's store, across turns (issue 8).

"Simplifying: drop the Redis set" names no mechanism, only where one lived: the earlier turn's
"keeps processed event ids in a Redis set and skips anything already seen" is the dedupe that
set implemented. A later turn's sentence whose verb removes (REMOVAL_VERB) a datastore that an
earlier claim's clause named as its host (`TextView.is_host`: where the mechanism lives) takes
back those claims, for the steps they covered: each gets a negated twin in the later turn, which
outranks it as the later statement. A sentence that only plans ("we plan to drop ...") is not
asserted and takes nothing back; a store no earlier claim lived in takes nothing back either.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Group
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.graph.documents import CLAUSE_PROSE, CLAUSE_TURN
from workflow_prover.models import ClaimNode, Evidence


def store_retractions(turns: list[TurnDraft], claims: list[ClaimNode]) -> list[ClaimNode]:
    """The negated twins of the claims later turns take back by removing their store."""
    removed = [(turn, _removed(turn)) for turn in turns[1:]]
    if not any(stores for _, stores in removed):
        return []  # (one turn, or no later turn removes a store: no hosts to look up)
    hosts = _hosts(turns, claims)
    out: list[ClaimNode] = []
    for turn, stores in removed:
        for store, (lo, hi) in stores:
            for claim in hosts.get(store, []):
                if claim.turn >= turn.turn or claim.modality != "asserted":
                    continue
                evidence = turn.evidence(lo, hi, "graph.store_removed")
                where = turn.turn * CLAUSE_TURN + turn.view.lay.clause_of[lo] * CLAUSE_PROSE
                via = evidence.model_copy(update={"via": ("scope.store",)})
                out.append(_taken_back(claim, via, turn.turn, where))
    return out


def _taken_back(claim: ClaimNode, evidence: Evidence, turn: int, clause: int) -> ClaimNode:
    """The negated twin of `claim`, said at `clause` of `turn` with this evidence."""
    return claim.model_copy(
        update={"modality": "negated", "evidence": evidence, "turn": turn, "clause": clause}
    )


def named_store_retractions(
    claims: list[ClaimNode], turns: list[TurnDraft] | None = None
) -> list[ClaimNode]:
    """'We dropped the sent_emails table': a later turn's negated processed store (a named
    table or set, not a datastore service) takes back the dedupe its clause implemented ('we
    record each cart id in the sent_emails table before sending and skip ones already
    there'): the idempotency claims of the clause the store was asserted in, for their steps.

    A store named only by what it is for ('we dropped the dedupe table') is every store an
    earlier dedupe was kept in: it takes back the idempotency claims of each earlier clause
    that names a store ('de-duplicated through the `issued_cards` table'), not a key or an
    upsert said without one.
    """
    asserted: dict[str, list[ClaimNode]] = {}  # store words -> where it was asserted
    by_clause: dict[int, list[ClaimNode]] = {}
    for c in claims:
        by_clause.setdefault(c.clause, []).append(c)
        if c.kind.value == "idempotency_store" and c.modality == "asserted":
            asserted.setdefault(_store_words(c.evidence.text), []).append(c)
    out: list[ClaimNode] = []
    for removal in claims:
        if removal.kind.value != "idempotency_store" or removal.modality != "negated":
            continue
        clauses = {
            c.clause
            for c in asserted.get(_store_words(removal.evidence.text), ())
            if c.turn < removal.turn
        }
        if turns is not None and _generic_store(removal.evidence.text):
            clauses |= {
                c.clause
                for c in claims
                if c.kind.value == "idempotency"
                and c.modality == "asserted"
                and c.turn < removal.turn
                and _names_a_store(turns, c)
            }
        out += [
            _taken_back(c, removal.evidence, removal.turn, removal.clause)
            for clause in sorted(clauses)
            for c in by_clause[clause]
            if c.kind.value == "idempotency" and c.modality == "asserted"
        ]
    return out


_GENERIC_STORE = frozenset(("dedupe", "dedup", "de-dupe"))


def _generic_store(text: str) -> bool:
    """'the dedupe table', 'dedup store': a store named by its purpose, not its name."""
    words = _store_words(text).split()
    return bool(words) and words[0] in _GENERIC_STORE and not any("_" in w for w in words)


def _names_a_store(turns: list[TurnDraft], claim: ClaimNode) -> bool:
    """Does the prose clause of `claim` name a store (a table, set, collection ...)?"""
    found = _prose_clause({t.turn: t for t in turns}, claim)
    if found is None:
        return False
    view, index = found
    c = view.lay.clauses[index]
    heads = view.term_starts("MECHANISM_HEAD")
    return any(c.start <= k < c.end for k in heads)


def _prose_clause(by_turn: dict[int, TurnDraft], claim: ClaimNode) -> tuple[TextView, int] | None:
    """The view of the claim's turn and the index of its prose clause; None for a schema's
    claim, which has no prose clause."""
    turn = by_turn.get(claim.turn)
    if turn is None or claim.clause % CLAUSE_TURN % CLAUSE_PROSE:
        return None
    index = claim.clause % CLAUSE_TURN // CLAUSE_PROSE
    if index >= len(turn.view.lay.clauses):
        return None
    return turn.view, index


def _store_words(text: str) -> str:
    return " ".join(w for w in text.lower().replace("`", " ").split() if w not in ("the", "a"))


def _hosts(turns: list[TurnDraft], claims: list[ClaimNode]) -> dict[str, list[ClaimNode]]:
    """Store name -> the claims whose clause named it as where the mechanism lives."""
    by_turn = {t.turn: t for t in turns}
    out: dict[str, list[ClaimNode]] = {}
    for claim in claims:
        found = _prose_clause(by_turn, claim)
        if found is None:
            continue  # a schema's claim: no prose clause
        view, index = found
        clauses = [index]
        if claim.kind.value in _DEDUPE:
            # "every event id goes into a redis set and repeats are dropped": one dedupe, told
            # in two clauses of a sentence; the set hosts both
            sentence = view.lay.clauses[index].sentence
            clauses = [c.index for c in view.lay.clauses if c.sentence == sentence]
        names = {
            m.info.name
            for c in clauses
            for m in view.clause_services(c)
            if m.info.role == "datastore" and view.is_host(m)
        }
        for name in sorted(names):
            out.setdefault(name, []).append(claim)
    return out


_DEDUPE = frozenset(("idempotency", "idempotency_store"))


def _removed(turn: TurnDraft) -> list[tuple[str, tuple[int, int]]]:
    """(store, sentence span) for each datastore this turn's sentences remove, asserted: a
    datastore named within four tokens after the sentence's first removal verb."""
    view = turn.view
    sentences = view.lay.sentences
    verbs = view.catalog.words.removal_verb
    first: dict[int, int] = {}  # sentence -> the end of its first asserted removal verb
    for v in view.ann.of(Group.VERB):  # in text order
        sentence = view.lay.sentence_of[v.start]
        if sentence not in first and view.toks[v.start].norm in verbs and _removes(view.read(v)):
            first[sentence] = v.end
    out: list[tuple[str, tuple[int, int]]] = []
    for m in view.services:
        sentence = view.lay.sentence_of[m.start]
        end = first.get(sentence)
        if end is not None and 0 <= m.start - end <= 4 and m.info.role == "datastore":
            out.append((m.info.name, sentences[sentence]))
    return out


def _removes(reading: Reading) -> bool:
    """Is a removal verb stated: asserted, or negated only by its own retraction cue ("we
    dropped the Redis set" reads the removal as taking something back, not as no removal)?"""
    if reading.modality == "asserted":
        return True
    return reading.modality == "negated" and all(c.effect == "retraction" for c in reading.cues)
