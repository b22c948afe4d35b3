"""Quantified scope: "every API call", "all writes", "both databases", "anything that fails".

A quantifier over a general noun covers everything of that kind, unless a service inside or
right after the phrase narrows it ("every Xero call", "every call to Xero"); a quantifier
after its subjects is about them ("Shopify and Xero both retry"); services listed before a
quantified kind, or beside a kind named on its own, join it ("the MySQL password and both API
tokens", "the stripe key + db creds"). A quantifier in the object of a clause whose subject
names services says how much of the object, not which steps ("... sends any key").
"""

from __future__ import annotations

from workflow_prover.annotate.types import Mention, Tok, small_number
from workflow_prover.extract.claims.drafts import ScopeDraft
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import (
    AUXILIARIES,
    DETERMINERS,
    NARROWING_PREPOSITIONS,
)
from workflow_prover.extract.reading import TextView


def quantified(view: TextView, clause: Clause) -> ScopeDraft | None:
    """'every API call', 'all writes', 'everything': a general scope (with its kind).

    A service inside or right after the quantified phrase narrows it ('every Xero call',
    'every call to Xero' are about Xero: None, so the services decide); services listed before
    it join it ('the MySQL password and both API tokens': MySQL and every API, `also`)."""
    toks = view.toks
    quants = view.term_starts("QUANTIFIER")
    named = {k for m in view.clause_services(clause.index) for k in range(m.start, m.end)}
    nouns = {j: m for j, m in general_nouns(view, clause).items() if j not in named}
    for i in range(clause.start, clause.end):
        if i not in quants:
            continue
        if toks[i].norm in view.catalog.words.alone_quantifier:
            if _restricted_by_service(view, clause, i):
                return None  # "anything Coupa rejects lands in ...": what Coupa rejects
            return ScopeDraft()
        floating = _floating(view, clause, i, nouns)
        if floating is not None:
            return floating
        if _object_of_named(view, clause, i):
            continue  # "neither the Mailchimp call nor the Salesforce call sends any key"
        if _of_the_ones_before(view, clause, i, nouns):
            return ScopeDraft()  # "Each of the three first checks close_runs": all of them
        for j in range(i + 1, min(i + 5, clause.end)):
            if toks[j].norm in ("we", "i", "they", "you"):
                break  # "for each alarm we create ...": the phrase ended at its noun
            if j in nouns:
                longest = nouns[j]
                if _narrowed(view, clause, i, j, longest.end):
                    return None
                return ScopeDraft(
                    filter=None if longest.filter == "all" else longest.filter,
                    also=_listed_before(view, clause, i),
                )
    return None


def _restricted_by_service(view: TextView, clause: Clause, quant: int) -> bool:
    """'anything Coupa rejects', 'everything that Stripe refuses': a relative clause whose
    subject is a service narrows the quantifier to what that service does."""
    toks = view.toks
    k = quant + 1
    if k < clause.end and toks[k].norm in ("that", "which"):
        k += 1
    after = next((m.end for m in view.clause_services(clause.index) if m.start == k), None)
    if after is None or after >= clause.end:
        return False
    nxt = toks[after]
    return (
        after in view.verb_starts
        or after in view.term_starts("FAILURE_WORD")
        or nxt.norm in view.catalog.words.response_verb
    )


def _of_the_ones_before(
    view: TextView, clause: Clause, quant: int, nouns: dict[int, Mention]
) -> bool:
    """'Each of the three ...', 'each of these', 'all of them': a quantifier over what the text
    has just listed, with no noun of its own, is about all of it."""
    toks = view.toks
    k = quant + 1
    if k + 1 >= clause.end or toks[k].norm != "of":
        return False
    if any(j in nouns for j in range(k, min(k + 4, clause.end))):
        return False  # "each of the three writes": the noun decides
    det = toks[k + 1].norm
    if det in ("them", "these", "those"):
        return True
    count = toks[k + 2] if k + 2 < clause.end else None
    return (
        det == "the"
        and count is not None
        and (small_number(count.text) is not None or count.norm in _COUNTS)
    )


_COUNTS = frozenset(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))


def _object_of_named(view: TextView, clause: Clause, quant: int) -> bool:
    """Is the quantifier in the object of a clause whose subject names services ('the Stripe
    call sends any key')? It says how much of the object, not which steps."""
    verbs = [v.start for v in view.mentions("verb", clause.index) if view.verbal(v)]
    first = min((v for v in verbs if v < quant), default=None)
    if first is None:
        return False
    return any(m.end <= first for m in view.clause_services(clause.index))


def _floating(
    view: TextView, clause: Clause, quant: int, nouns: dict[int, Mention]
) -> ScopeDraft | None:
    """'The database password, the SendGrid key and the HubSpot token all come from ...',
    'Stripe and HubSpot both retry': a quantifier after its subjects, right before the verb,
    is about those subjects (a kind named among them, 'the database password', with them)."""
    toks = view.toks
    after = quant + 1
    if after >= clause.end or quant == clause.start:
        return None
    verbs = {v.start for v in view.mentions("verb", clause.index) if view.verbal(v)}
    before_verb = after in verbs or toks[after].norm in AUXILIARIES
    if not before_verb and toks[quant - 1].norm not in AUXILIARIES:
        return None  # not "X and Y all come from", nor "X and Y are both in"
    mentions = [m for m in view.clause_services(clause.index) if m.end <= quant]
    if not mentions or any(v < quant for v in verbs):
        return None  # "looked each issue up": a quantified object, not subjects
    items = _list_items(toks, clause.start, quant - (toks[quant - 1].norm in AUXILIARIES))
    named = {k for m in mentions for k in range(m.start, m.end)} | {
        j for j, m in nouns.items() if m.filter in ("api", "database")
    }
    if any(not named & set(range(lo, hi)) for lo, hi in items):
        return ScopeDraft()  # an item the text does not tie to a service: all of them
    subjects = tuple(dict.fromkeys(m.info.name for m in mentions))
    kinds = [m.filter for j, m in nouns.items() if j < quant and m.filter in ("api", "database")]
    if kinds:
        return ScopeDraft(filter=kinds[0], also=subjects)
    return ScopeDraft(general=False, services=subjects)


def _list_items(toks: list[Tok], start: int, end: int) -> list[tuple[int, int]]:
    """The items of a list 'A, B and C' in [start, end), split at ',', 'and', '&'."""
    items: list[tuple[int, int]] = []
    lo = start
    for k in range(start, end):
        if toks[k].norm in (",", "and", "&"):
            if k > lo:
                items.append((lo, k))
            lo = k + 1
    if end > lo:
        items.append((lo, end))
    return items


def _narrowed(view: TextView, clause: Clause, quant: int, noun: int, end: int) -> bool:
    """Does a service name what the quantified phrase [quant, end) with its noun at `noun` is
    about: before the noun ('every
    Xero call') or after a preposition right after it ('every call to Xero', 'all requests
    against the HubSpot API')?"""
    services = [m for m in view.clause_services(clause.index) if not view.is_attributive(m)]
    if any(quant < m.start < noun and not m.info.generic for m in services):
        return True  # "every Xero call"; "every provider call" is every call to any provider
    toks = view.toks
    if end >= clause.end or toks[end].norm not in NARROWING_PREPOSITIONS:
        return False
    k = end + 1
    while k < clause.end and toks[k].norm in DETERMINERS:
        k += 1
    return any(m.start == k for m in services)


def _listed_before(view: TextView, clause: Clause, quant: int) -> tuple[str, ...]:
    """The services of a list the quantified phrase closes: 'Kafka SASL credentials, the MySQL
    password and both API tokens' (a ',' or 'and' between the last of them and the phrase)."""
    before = [m for m in view.clause_services(clause.index) if m.end <= quant]
    if not before:
        return ()
    gap = range(before[-1].end, quant)
    between = [view.toks[k].norm for k in gap]
    verbs = {v.start for v in view.mentions("verb", clause.index)}
    if not any(w in (",", "and", "&") for w in between) or any(
        k in verbs or view.toks[k].norm in AUXILIARIES for k in gap
    ):
        return ()  # "Kafka is read, and all API calls retry": two statements, not a list
    return tuple(dict.fromkeys(m.info.name for m in before))


def general_noun(view: TextView, clause: Clause) -> str | None:
    """'the database writes', 'API calls': a plural kind of call, without a quantifier."""
    for noun in general_nouns(view, clause).values():
        if noun.filter in ("api", "database") and view.toks[noun.end - 1].norm.endswith("s"):
            return noun.filter
    return None


def general_nouns(view: TextView, clause: Clause) -> dict[int, Mention]:
    """The longest general noun ("API", "API calls") starting at each token of the clause."""
    nouns: dict[int, Mention] = {}
    for m in view.mentions("term", clause.index):
        if m.label == "GENERAL_NOUN":
            held = nouns.get(m.start)
            if held is None or m.end - m.start > held.end - held.start:
                nouns[m.start] = m
    return nouns


def _determined(toks: list[Tok], k: int) -> bool:
    """Is there a determiner right before token k ('the service token': one service's)?"""
    return k > 0 and toks[k - 1].norm in DETERMINERS - {"all", "every"}


_LIST_MARKS = (",", "and", "+", "&", "/")


def kind_listed(view: TextView, clause: Clause) -> str | None:
    """A kind of system named on its own beside the services ('db creds', 'database writes',
    'the other APIs'), not as the head of a service's name ('the Postgres database', 'the
    Stripe API'): the scope takes every system of that kind too."""
    named = view.clause_services(clause.index)
    inside = {k for m in named for k in range(m.start, m.end)}
    toks = view.toks
    ends = {m.end for m in named} | {  # "Stripe API", "Stripe's API", "Coupa OAuth client"
        m.end + 1 for m in named if m.end < len(toks) and toks[m.end].norm not in _LIST_MARKS
    }
    for noun in general_nouns(view, clause).values():
        if noun.start in inside or noun.start in ends:
            continue
        credential = noun.end in view.term_starts("CREDENTIAL_NOUN")
        if (
            noun.filter == "all"
            and credential
            and toks[noun.start].norm in view.catalog.words.named_by_next
            and not _determined(toks, noun.start)
        ):
            return "api"  # "Service tokens, the NATS creds ... are issued by Vault": the APIs'
        if noun.filter not in ("api", "database"):
            continue
        if _determined(toks, noun.start) and not credential:
            # "the database", "our API": one system, named by its kind ("the database
            # password" is the design's database's)
            continue
        plural = toks[noun.end - 1].norm.endswith("s")  # "APIs", "database writes"
        listed = (noun.end < clause.end and toks[noun.end].norm in _LIST_MARKS) or (
            noun.start > clause.start and toks[noun.start - 1].norm in _LIST_MARKS
        )  # "Secrets (Healthie, Postmark, DB) come from Vault"
        if plural or listed or credential:  # "db creds"
            return noun.filter  # not "client reference", "API version"
    return None
