"""Which systems a text names, and in what role each mention stands.

Three kinds of mention:
- lexicon services ("Stripe", "Salesfroce" through the typo corrector);
- generic ones, built from a head noun and its modifiers ("our ledger DB", "the state
  licensing API", "some third-party analytics endpoint") or a category word ("our CRM");
- later references to a generic one by its distinctive word ("the ledger row", "the TMS").

A mention's role decides what it means: the target of an action, the channel it goes through
("via Mailgun"), a source ("from Canvas"), an attribute ("the Shopify order ID", "the Twilio
token"), or the host of a mechanism ("the SQS DLQ", "Redis for idempotency keys").
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow_prover.extract.grammar import (
    DETERMINERS,
    GENERIC_ADJECTIVES,
    PREPOSITIONS,
)
from workflow_prover.extract.types import Annotation, Group, Mention, Tok
from workflow_prover.lexicon.loader import Lexicons


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    category: str
    role: str  # api | datastore | runtime | secrets
    rate_limited: bool
    vendor: str | None
    generic: bool
    rule: str


@dataclass(frozen=True, slots=True)
class SvcMention:
    info: ServiceInfo
    start: int
    end: int


_STOP = DETERMINERS | PREPOSITIONS | frozenset("and or as is are was were be 's ’s , ; : . ( )".split())


class ServiceCatalog:
    """Lexicon facts about services and categories, built once per pipeline."""

    def __init__(self, lex: Lexicons) -> None:
        self._cats = {c.name: c for c in lex.categories}
        self.vendors = frozenset(s.vendor for s in lex.services if s.vendor)

    def info(self, name: str, category: str, rule: str, vendor: str | None = None,
             generic: bool = False) -> ServiceInfo:
        cat = self._cats[category]
        return ServiceInfo(name, category, cat.role, cat.rate_limited, vendor or None,
                           generic, rule)


def find_services(ann: Annotation, catalog: ServiceCatalog) -> list[SvcMention]:
    """Every service mention in order, generic ones and back-references included."""
    toks = ann.toks
    found = [SvcMention(catalog.info(m.name, m.label, m.rule, m.extra or None), m.start, m.end)
             for m in ann.of(Group.SERVICE)]
    taken = {i for m in found for i in range(m.start, m.end)}
    terms = ann.of(Group.TERM)
    heads = [t for t in terms if t.label == "GENERIC_HEAD"]
    words = [t for t in terms if t.label == "CATEGORY_WORD"]
    hints = {t.start: t.name for t in terms if t.label in ("CATEGORY_HINT", "CATEGORY_WORD")}
    aliases: dict[str, ServiceInfo] = {}
    for head in sorted(heads + words, key=lambda t: (t.start, -(t.end - t.start))):
        if any(i in taken for i in range(head.start, head.end)):
            continue
        mention = _generic(toks, head, taken, hints, catalog)
        if mention is None:
            continue
        found.append(mention)
        taken.update(range(mention.start, mention.end))
        for alias in _aliases(toks, mention, head):
            aliases.setdefault(alias, mention.info)
    found += _back_references(toks, found, taken, aliases)
    return sorted(found, key=lambda m: m.start)


def _generic(toks: list[Tok], head: Mention, taken: set[int], hints: dict[int, str],
             catalog: ServiceCatalog) -> SvcMention | None:
    if head.label == "CATEGORY_WORD":
        nxt = toks[head.end] if head.end < len(toks) else None
        if nxt is not None and nxt.norm in ("api", "endpoint", "db", "database"):
            return None  # the head noun that follows builds the mention
        name = " ".join(t.text for t in toks[head.start:head.end])
        return SvcMention(catalog.info(name, head.name, f"generic.{head.rule}", generic=True),
                          head.start, head.end)
    start = head.start
    i = head.start - 1
    while i >= 0 and head.start - i <= 6:
        tok = toks[i]
        if tok.text == ")":  # "(AGS)" inside a name
            j = i
            while j >= 0 and toks[j].text != "(":
                j -= 1
            if j < 0 or i - j > 3:
                break
            i = j - 1
            start = j
            continue
        if i in taken:
            return None  # "the Zendesk search API" is Zendesk's API
        if tok.norm in _STOP and not (tok.norm == "and" and _capitalised(toks, i)):
            break
        if not (tok.text[:1].isalnum() or tok.text in ("-", "&", "/")):
            break
        start = i
        i -= 1
    modifiers = [t for t in toks[start:head.start] if t.text[:1].isalnum()]
    if not modifiers or all(t.norm in GENERIC_ADJECTIVES for t in modifiers):
        return None
    category = head.name
    if category == "hosting_api":
        for k in range(start, head.start):
            category = hints.get(k, category)
    name = " ".join(t.text for t in toks[start:head.end]).replace(" - ", "-")
    return SvcMention(catalog.info(name, category, f"generic.{head.rule}", generic=True),
                      start, head.end)


def _capitalised(toks: list[Tok], i: int) -> bool:
    return 0 < i < len(toks) - 1 and toks[i - 1].text[:1].isupper() and toks[i + 1].text[:1].isupper()


def _aliases(toks: list[Tok], mention: SvcMention, head: Mention) -> list[str]:
    """Words a later text may use for a generic service: its last modifier, its acronyms."""
    if not mention.info.generic:
        return []
    mods = [t for t in toks[mention.start:head.start] if t.text[:1].isalnum()
            and t.norm not in GENERIC_ADJECTIVES]
    out = [t.norm for t in mods if t.text.isupper() and len(t.text) >= 2]
    if mods and len(mods[-1].text) >= 3:
        out.append(mods[-1].norm)
    if head.label == "CATEGORY_WORD":
        out.append(" ".join(t.norm for t in toks[head.start:head.end]))
    return out


def _back_references(toks: list[Tok], found: list[SvcMention], taken: set[int],
                     aliases: dict[str, ServiceInfo]) -> list[SvcMention]:
    if not aliases:
        return []
    first = {m.info.name: m.start for m in found}
    refs: list[SvcMention] = []
    for i, tok in enumerate(toks):
        info = aliases.get(tok.norm)
        if info is None or i in taken or i < first.get(info.name, len(toks)):
            continue
        refs.append(SvcMention(info, i, i + 1))
        taken.add(i)
    return refs


# ---- roles ----------------------------------------------------------------------------------


def attributive(m: SvcMention, toks: list[Tok], id_or_cred: set[int]) -> bool:
    """'the Shopify order ID', 'the Twilio auth token': the service qualifies a noun."""
    k = m.end
    skipped = 0
    while k < len(toks) and skipped <= 3:
        if k in id_or_cred:
            return True
        tok = toks[k]
        if tok.norm in _STOP and tok.norm not in ("'s", "’s") or not (tok.text[:1].isalnum()
                                                                      or tok.text in ("'s", "’s", "-")):
            return False
        skipped += 1
        k += 1
    return False


def preceded_by(m: SvcMention, toks: list[Tok], words: frozenset[str], reach: int = 3) -> bool:
    """Is the mention introduced by one of `words` ("via Mailgun", "from the Canvas API")?"""
    k = m.start - 1
    while k >= 0 and m.start - k <= reach:
        norm = toks[k].norm
        if norm in words:
            return True
        if norm not in DETERMINERS and norm not in ("'s", "’s") and not toks[k].text[:1].isupper():
            return False
        k -= 1
    return False
