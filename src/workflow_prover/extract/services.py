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
    RUNTIME_NOUNS,
)
from workflow_prover.extract.segment import verb_form
from workflow_prover.extract.types import Annotation, Group, Mention, Tok
from workflow_prover.lexicon.loader import Lexicons


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ServiceInfo:
    name: str
    category: str
    role: str  # api | datastore | runtime | secrets
    rate_limited: bool
    vendor: str | None
    generic: bool
    rule: str


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class SvcMention:
    info: ServiceInfo
    start: int
    end: int


# Words that describe calls or their fate, never part of a system's name.
_NOT_A_NAME = frozenset(
    (
        "failed",
        "failing",
        "failure",
        "failures",
        "error",
        "errors",
        "errored",
        "successful",
        "outbound",
        "inbound",
        "retried",
        "throttled",
        "slow",
        "timed",
        "rejected",
        "duplicate",
    )
)
# Modifiers too vague to name a service on their own when they come back later.
_VAGUE = frozenset(
    [
        "content",
        "data",
        "admin",
        "media",
        "service",
        "api",
        "cloud",
        "web",
        "main",
        "core",
        "public",
        "platform",
        "system",
        "portal",
        "app",
        "integration",
        "management",
    ]
)
_STOP = (
    DETERMINERS
    | PREPOSITIONS
    | frozenset(
        [
            "and",
            "or",
            "as",
            "is",
            "are",
            "was",
            "were",
            "be",
            "'s",
            "’s",
            ",",
            ";",
            ":",
            ".",
            "(",
            ")",
            "w/",
            "via",
            "using",
            "=",
        ]
    )
)


_PLATFORM_VENDORS = frozenset(
    (
        "aws",
        "google",
        "azure",
        "microsoft",
        "atlassian",
        "oracle",
        "salesforce",
        "adobe",
        "sap",
        "ibm",
        "cloudflare",
    )
)


class ServiceCatalog:
    """Lexicon facts about services and categories, built once per pipeline."""

    def __init__(self, lex: Lexicons) -> None:
        self._cats = {c.name: c for c in lex.categories}
        vendors = frozenset(s.vendor for s in lex.services if s.vendor)
        # vendors whose name alone stands for their many products ("AWS calls back off")
        self.platform_vendors = vendors & _PLATFORM_VENDORS | {"amazon", "gcp"}

    def info(
        self, name: str, category: str, rule: str, vendor: str | None = None, generic: bool = False
    ) -> ServiceInfo:
        cat = self._cats[category]
        return ServiceInfo(
            name, category, cat.role, cat.rate_limited, vendor or None, generic, rule
        )


def find_services(
    ann: Annotation, catalog: ServiceCatalog, aliases: dict[str, ServiceInfo] | None = None
) -> list[SvcMention]:
    """Every service mention in order, generic ones and back-references included.

    `aliases` (word -> service) is read and extended: it carries the generic services of
    earlier turns into this one, and this turn's into the next.
    """
    toks = ann.toks
    found = [
        SvcMention(catalog.info(m.name, m.label, m.rule, m.extra or None), m.start, m.end)
        for m in ann.of(Group.SERVICE)
        if not _inside_compound(toks, m) and not _longer_name(toks, m)
    ]
    taken = {i for m in found for i in range(m.start, m.end)}
    terms = ann.of(Group.TERM)
    heads = [t for t in terms if t.label == "GENERIC_HEAD"]
    words = [t for t in terms if t.label == "CATEGORY_WORD"]
    hints = {t.start: t.name for t in terms if t.label in ("CATEGORY_HINT", "CATEGORY_WORD")}
    aliases = {} if aliases is None else aliases
    _head_aliases(toks, found, aliases)
    # "token bucket" is a mechanism, not a storage bucket (long gapped cues do not count)
    cued = {i for c in ann.of(Group.CUE) if c.end - c.start <= 3 for i in range(c.start, c.end)}
    for head in sorted(heads + words, key=lambda t: (t.start, -(t.end - t.start))):
        if any(i in taken or i in cued for i in range(head.start, head.end)):
            continue
        known = aliases.get(" ".join(t.norm for t in toks[head.start : head.end]))
        if head.label == "CATEGORY_WORD" and known is not None:
            found.append(SvcMention(known, head.start, head.end))
            taken.update(range(head.start, head.end))
            continue
        mention = _generic(toks, head, taken | cued, hints, catalog)
        if mention is None:
            continue
        same = _known_generic(toks, mention, head, aliases)
        if same is not None:  # "the licensing API" after "the state licensing API"
            mention = SvcMention(same, mention.start, mention.end)
        found.append(mention)
        taken.update(range(mention.start, mention.end))
        for alias in _aliases(toks, mention, head):
            aliases.setdefault(alias, mention.info)
    found += _dotted_calls(ann, taken, catalog)
    proper = _proper_names(ann, taken, catalog)
    for m in proper:  # "create it in DoorDash Drive" ... "the DoorDash developer key"
        aliases.setdefault(toks[m.start].norm, m.info)
        if m.end - m.start >= 2:  # "Oracle Transportation Management" ... "OTM"
            aliases.setdefault("".join(t.text[0] for t in toks[m.start : m.end]).lower(), m.info)
    found += proper
    found += _back_references(toks, found, taken, aliases)
    return _appositions(toks, sorted(found, key=lambda m: m.start), aliases)


_BRACKET_HEADS = frozenset(
    (
        "db",
        "database",
        "api",
        "system",
        "service",
        "instance",
        "cluster",
        "broker",
        "queue",
        "bucket",
        "warehouse",
    )
)


def _appositions(
    toks: list[Tok], found: list[SvcMention], aliases: dict[str, ServiceInfo]
) -> list[SvcMention]:
    """'our ledger database (Postgres)': the generic name and the product are one system,
    so every mention of the generic one (before and after) becomes the product."""
    same: dict[str, ServiceInfo] = {}
    for i, m in enumerate(found[:-1]):
        nxt = found[i + 1]
        k = m.end + 1 if m.end < len(toks) and toks[m.end].norm in _BRACKET_HEADS else m.end
        bracketed = k < len(toks) and toks[k].text == "(" and nxt.start <= k + 2
        if bracketed and m.info.generic and not nxt.info.generic and nxt.info.role == m.info.role:
            same[m.info.name] = nxt.info
    if not same:
        return found
    for word, info in list(aliases.items()):
        if info.name in same:
            aliases[word] = same[info.name]
    return [SvcMention(same.get(m.info.name, m.info), m.start, m.end) for m in found]


_PLACE_PREPOSITIONS = frozenset(("in", "into", "to", "through", "via", "from", "on"))


def _proper_names(ann: Annotation, taken: set[int], catalog: ServiceCatalog) -> list[SvcMention]:
    """'create the delivery in DoorDash Drive': a product the lexicon does not know.

    A run of capitalised words right after a place preposition ("in", "to", "via"...),
    optionally after "the"/"our", names the system acted on. Words the lexicons know as
    anything else (terms, cues, verbs) do not start such a name.
    """
    toks = ann.toks
    known = {
        i
        for g in (Group.TERM, Group.CUE, Group.VERB, Group.CONTEXT)
        for m in ann.of(g)
        for i in range(m.start, m.end)
    }
    out: list[SvcMention] = []
    for i, tok in enumerate(toks):
        if tok.norm not in _PLACE_PREPOSITIONS:
            continue
        j = i + 1
        if j < len(toks) and toks[j].norm in ("the", "our", "their", "its", "a", "an"):
            j += 1
        if j + 1 < len(toks) and toks[j].text.islower() and toks[j + 1].norm in ("'s", "’s"):
            j += 2  # "into the grower's John Deere Operations Center account"
        k = j
        while (
            k < len(toks)
            and toks[k].text[:1].isupper()
            and toks[k].text.isalpha()
            and k not in taken
            and (k > j or k not in known)
            and k - j < 3
        ):
            k += 1
        if k == j or (k - j == 1 and toks[j].text.isupper() and len(toks[j].text) <= 3):
            continue
        if k in taken or (not toks[k - 1].ws and k < len(toks) and toks[k].text == "_"):
            continue  # "the LIMS Oracle database": a modifier; "Shipment_Ref__c": a field
        name = ann.text[toks[j].start : toks[k - 1].end]
        out.append(
            SvcMention(catalog.info(name, "hosting_api", "generic.proper_name", generic=True), j, k)
        )
        taken.update(range(j, k))
    return out


_HEAD_ALIASES = frozenset(
    (
        "broker",
        "db",
        "database",
        "bucket",
        "cluster",
        "warehouse",
        "datastore",
        "ledger",
        "instance",
        "tenant",
        "workspace",
        "org",
        "account",
        "site",
        "project",
        "board",
    )
)


def _head_aliases(
    toks: list[Tok], found: list[SvcMention], aliases: dict[str, ServiceInfo]
) -> None:
    """'our EMQX broker' ... 'the broker': the head noun names that service later."""
    named: dict[str, set[ServiceInfo]] = {}
    for m in found:
        if m.end < len(toks) and toks[m.end].norm in _HEAD_ALIASES:
            named.setdefault(toks[m.end].norm, set()).add(m.info)
    for word, infos in named.items():
        if len(infos) == 1:
            aliases.setdefault(word, next(iter(infos)))


def _dotted_calls(ann: Annotation, taken: set[int], catalog: ServiceCatalog) -> list[SvcMention]:
    """`mender.create_deployment`, `erp.post_invoice`: schema keys name the service called."""
    toks = ann.toks
    verbs = {
        m.start
        for m in ann.of(Group.VERB)
        if toks[m.start].text.islower() and verb_form(toks[m.start].text) == "base"
    }
    out: list[SvcMention] = []
    for i in range(len(toks) - 2):
        tok, dot = toks[i], toks[i + 1]
        if (
            i in taken
            or not tok.text.isalpha()
            or dot.text != "."
            or tok.ws
            or dot.ws
            or i + 2 not in verbs
            or tok.norm in GENERIC_ADJECTIVES
            or len(tok.text) < 3
        ):
            continue
        out.append(
            SvcMention(
                catalog.info(tok.text, "hosting_api", "generic.dotted_call", generic=True), i, i + 1
            )
        )
        taken.add(i)
    names = {m.info.name.lower(): m.info for m in out}
    out += [
        SvcMention(names[t.norm], k, k + 1)
        for k, t in enumerate(toks)
        if t.norm in names and k not in taken
    ]
    return out


def _longer_name(toks: list[Tok], m: Mention) -> bool:
    """'Oracle Transportation Management': an ambiguous one-word alias that starts a longer
    proper name names another product."""
    if m.end - m.start != 1 or m.end >= len(toks) or toks[m.start].norm not in _AMBIGUOUS_ONE_WORD:
        return False
    nxt = toks[m.end]
    return nxt.text[:1].isupper() and nxt.text.isalpha() and not nxt.text.isupper()


_AMBIGUOUS_ONE_WORD = frozenset(
    (
        "oracle",
        "sage",
        "square",
        "box",
        "canvas",
        "notion",
        "meta",
        "workday",
        "outlook",
        "segment",
        "front",
        "linear",
        "ghost",
    )
)


def _inside_compound(toks: list[Tok], m: Mention) -> bool:
    """'sign-ups' is not UPS, 'SageMaker' is not Sage: a match must be whole words."""
    before = toks[m.start - 1] if m.start > 0 else None
    after = toks[m.end] if m.end < len(toks) else None
    if before is not None and not before.ws and before.text[:1].isalpha():
        return True  # the camelCase split of "SageMaker" gave "Sage" + "Maker"
    if after is not None and not toks[m.end - 1].ws and after.text[:1].isalpha():
        return True
    return (
        before is not None
        and before.text == "-"
        and not before.ws
        and m.start > 1
        and not toks[m.start - 2].ws
        and toks[m.start - 2].text.isalpha()
        and toks[m.start - 2].norm not in ("aws", "gcp", "azure")
    )


def _generic(
    toks: list[Tok], head: Mention, taken: set[int], hints: dict[int, str], catalog: ServiceCatalog
) -> SvcMention | None:
    if head.label == "CATEGORY_WORD":
        nxt = toks[head.end] if head.end < len(toks) else None
        if nxt is not None and nxt.norm in ("api", "endpoint", "db", "database"):
            return None  # the head noun that follows builds the mention
        name = " ".join(t.text for t in toks[head.start : head.end])
        return SvcMention(
            catalog.info(name, head.name, f"generic.{head.rule}", generic=True),
            head.start,
            head.end,
        )
    start = head.start
    i = head.start - 1
    while i >= 0 and head.start - i <= 9:
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
        owner = tok.norm in ("'s", "’s") and all(
            t.norm in GENERIC_ADJECTIVES for t in toks[i + 1 : head.start] if t.text[:1].isalnum()
        )
        if owner:  # "the state immunization registry's REST API": the owner names it
            start = i
            i -= 1
            continue
        if tok.norm in _STOP and not (tok.norm == "and" and _capitalised(toks, i)):
            break
        if not (tok.text[:1].isalnum() or tok.text in ("-", "&", "/")):
            break
        if tok.norm in _NOT_A_NAME:
            break  # "Failed API calls go to a DLQ" names no service
        start = i
        i -= 1
    modifiers = [t for t in toks[start : head.start] if t.text[:1].isalnum()]
    if not modifiers or all(t.norm in GENERIC_ADJECTIVES for t in modifiers):
        return None
    category = head.name
    if category == "hosting_api":
        for k in range(start, head.start):
            category = hints.get(k, category)
    name = _span_text(toks, start, head.end)
    return SvcMention(
        catalog.info(name, category, f"generic.{head.rule}", generic=True), start, head.end
    )


def _known_generic(
    toks: list[Tok], mention: SvcMention, head: Mention, aliases: dict[str, ServiceInfo]
) -> ServiceInfo | None:
    """A generic service named again with fewer (or other) modifiers and the same head."""
    head_word = toks[head.start].norm
    for tok in toks[mention.start : head.start]:
        known = aliases.get(tok.norm)
        if known is not None and known.generic and known.name.lower().endswith(head_word):
            return known
    return None


def _span_text(toks: list[Tok], start: int, end: int) -> str:
    """The words as written, spacing included ("Grade Services (AGS) endpoint")."""
    return "".join(t.text + t.ws for t in toks[start:end]).strip()


def _capitalised(toks: list[Tok], i: int) -> bool:
    return (
        0 < i < len(toks) - 1 and toks[i - 1].text[:1].isupper() and toks[i + 1].text[:1].isupper()
    )


def _aliases(toks: list[Tok], mention: SvcMention, head: Mention) -> list[str]:
    """Words a later text may use for a generic service: its last modifier, its acronyms."""
    if not mention.info.generic:
        return []
    mods = [
        t
        for t in toks[mention.start : head.start]
        if t.text[:1].isalnum() and t.norm not in GENERIC_ADJECTIVES and t.norm not in _VAGUE
    ]
    out = [t.norm for t in mods if t.text.isupper() and len(t.text) >= 2]
    if mods and mods[0].text[:1].isupper() and len(mods[0].text) >= 3:
        out.append(mods[0].norm)  # a proper name: "The Arc token" is the Arc Content API's
    if mods and len(mods[-1].text) >= 3:
        out.append(mods[-1].norm)
    if head.label == "CATEGORY_WORD":
        out.append(" ".join(t.norm for t in toks[head.start : head.end]))
    return out


def _back_references(
    toks: list[Tok], found: list[SvcMention], taken: set[int], aliases: dict[str, ServiceInfo]
) -> list[SvcMention]:
    """'the ledger row', 'the TMS': a generic service named again by its distinctive word."""
    if not aliases:
        return []
    first = {m.info.name: m.start for m in found}
    refs: list[SvcMention] = []
    for i, tok in enumerate(toks):
        info = aliases.get(tok.norm)
        if info is None or i in taken or i < first.get(info.name, len(toks)):
            continue
        if i + 1 < len(toks) and toks[i + 1].norm in RUNTIME_NOUNS:
            continue  # "our syndication worker" is the workflow itself
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
        if (tok.norm in _STOP and tok.norm not in ("'s", "’s")) or not (
            tok.text[:1].isalnum() or tok.text in ("'s", "’s", "-")
        ):
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
