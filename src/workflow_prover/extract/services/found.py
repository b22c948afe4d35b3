"""Which systems a text names, and in what role each mention stands.

Three kinds of mention:
- lexicon services ("Stripe", "Salesfroce" through the typo corrector);
- generic ones, built from a head noun and its modifiers ("our ledger DB", "the state
  licensing API", "some third-party analytics endpoint") or a category word ("our CRM");
- later references to a generic one by its distinctive word ("the ledger row", "the TMS").
Lexicon facts live in `catalog`; how generic services are named, in `generic`.

A mention's role decides what it means: the target of an action, the channel it goes through
("via Mailgun"), a source ("from Canvas"), an attribute ("the Shopify order ID", "the Twilio
token"), or the host of a mechanism ("the SQS DLQ", "Redis for idempotency keys").
"""

from __future__ import annotations

from workflow_prover.annotate.types import Annotation, Group, Mention, Tok
from workflow_prover.extract.layout.grammar import (
    ARROWS,
    DETERMINERS,
    LIST_JOINERS,
    NAME_STOPS,
    SYSTEM_BEFORE,
    glued_hyphen,
    in_identifier,
)
from workflow_prover.extract.services.catalog import ServiceCatalog, ServiceInfo, SvcMention
from workflow_prover.extract.services.columns import column_services
from workflow_prover.extract.services.unnamed import (
    appositions,
    back_references,
    dotted_calls,
    generic,
    head_aliases,
    known_generic,
    lexicon_tokens,
    lower_names,
    name_aliases,
    proper_names,
    slug_services,
)
from workflow_prover.lexicon.words import WordClasses

__all__ = [
    "ServiceCatalog",
    "ServiceInfo",
    "SvcMention",
    "attributive",
    "find_services",
    "preceded_by",
]


def find_services(
    ann: Annotation, catalog: ServiceCatalog, aliases: dict[str, ServiceInfo] | None = None
) -> list[SvcMention]:
    """Every service mention in order, generic ones and back-references included.

    `aliases` (word -> service) is read and extended: it carries the generic services of
    earlier turns into this one, and this turn's into the next.
    """
    toks = ann.toks
    words = catalog.words
    plain = [m for m in ann.of(Group.SERVICE) if not _inside_compound(toks, m, words)]
    # "in the notion Leads database": a product word that owns a named object is the system
    # (a store's head: "the Oracle Transportation Management REST API" is no Oracle database)
    head_starts = {
        t.start
        for t in ann.of(Group.TERM)
        if t.label == "GENERIC_HEAD" and catalog.role(t.category or "") == "datastore"
    }
    plain = [
        m
        for m in plain
        if not _longer_name(toks, m, catalog.name_starts) or _owns_named(toks, m, head_starts)
    ]
    strong = [m for m in plain if not m.weak]
    placed = [
        m
        for m in plain
        if m.weak
        and toks[m.start].text.islower()
        and (_system_place(toks, m, words) or _coordinated(toks, m, strong))
    ]
    # "square/wise tokens": a word listed with one placed as a system is one too
    placed += [
        m
        for m in plain
        if m.weak
        and m not in placed
        and toks[m.start].text.islower()
        and _coordinated(toks, m, placed)
    ]
    placed += [m for m in plain if m.weak and m not in placed and _owns_named(toks, m, head_starts)]
    systems = {m.service for m in strong + placed}
    reused = [
        m
        for m in plain
        if m.weak
        and m not in placed
        and m.service in systems
        and toks[m.start].text.islower()
        and _opens_phrase(toks, m)
    ]
    # "credentials: lever and workday via aws secrets manager": once the text uses the word
    # as the system, the same word listed with a system is that system again
    reused += [
        m
        for m in plain
        if m.weak
        and m not in placed
        and m not in reused
        and m.service in systems
        and _coordinated(toks, m, strong + placed + reused)
    ]
    kept = set(map(id, placed + reused))
    found = [
        SvcMention(catalog.info(m.service, m.label, m.rule, m.vendor or None), m.start, m.end)
        for m in plain
        if not m.weak or id(m) in kept
    ]
    taken = {i for m in found for i in range(m.start, m.end)}
    found += slug_services(ann, taken, catalog)
    terms = ann.of(Group.TERM)
    heads = [t for t in terms if t.label == "GENERIC_HEAD"]
    category_words = [t for t in terms if t.label == "CATEGORY_WORD"]
    hints = {t.start: t.category for t in terms if t.label in ("CATEGORY_HINT", "CATEGORY_WORD")}
    aliases = {} if aliases is None else aliases
    head_aliases(toks, found, aliases, words)
    # "token bucket" is a mechanism, not a storage bucket (long gapped cues do not count)
    cued = {
        i
        for c in ann.of(Group.CUE)
        if c.end - c.start <= 3
        and c.label != "webhook"  # "each customer's callback URL"
        and not glued_hyphen(toks, c.start - 1)  # "the audit-log API": a word of a name
        for i in range(c.start, c.end)
    }
    # "3 req/s bucket", "a 10 rps bucket": the bucket a rate names is a limiter, no storage
    rated = {c.end for c in ann.of(Group.CUE) if c.states_rate}
    database_starts = {m.start for m in found if m.info.role == "datastore"}
    annotated = lexicon_tokens(ann)  # once a text: proper, lower-case and domain names ask
    for head in sorted(heads + category_words, key=lambda t: (t.start, -(t.end - t.start))):
        if any(i in taken or i in cued for i in range(head.start, head.end)):
            continue
        if head.start in rated:
            continue
        if head.label == "CATEGORY_WORD" and _before_a_service(toks, head.end, taken):
            continue  # "the `ledger` Kafka topic": the name of a topic of the service after it
        if head.label == "CATEGORY_WORD" and _qualifies_a_name(toks, head.start, head.end):
            continue  # "into pg `crm.contacts`": the schema of a table, no CRM
        if head.label == "CATEGORY_WORD" and head.end in database_starts:
            continue  # "our TMS Postgres", "the WMS Postgres replica": whose database it is
        known = aliases.get(" ".join(t.norm for t in toks[head.start : head.end]))
        if head.label == "CATEGORY_WORD" and known is not None:
            found.append(SvcMention(known, head.start, head.end))
            taken.update(range(head.start, head.end))
            continue
        mention = generic(toks, head, taken | cued, hints, catalog)
        if mention is None:
            continue
        same = known_generic(toks, mention, head, aliases)
        if same is not None:  # "the licensing API" after "the state licensing API"
            mention = SvcMention(same, mention.start, mention.end)
        found.append(mention)
        taken.update(range(mention.start, mention.end))
        for alias in name_aliases(toks, mention, head, words, annotated):
            aliases.setdefault(alias, mention.info)
    found += dotted_calls(ann, taken, catalog)
    proper = proper_names(ann, taken, catalog, annotated)
    for m in proper:  # "create it in DoorDash Drive" ... "the DoorDash developer key"
        aliases.setdefault(toks[m.start].norm, m.info)
        if m.end - m.start >= 2:  # "Oracle Transportation Management" ... "OTM"
            aliases.setdefault("".join(t.text[0] for t in toks[m.start : m.end]).lower(), m.info)
    found += proper
    found += column_services(ann, taken, catalog)  # "| 2 | Create sales invoice | Exact Online |"
    for m in lower_names(ann, taken, catalog, annotated):  # "in shiphero ... never call shiphero"
        aliases.setdefault(toks[m.start].norm, m.info)
        found.append(m)
    _domain_stems(toks, found, aliases, words.domain_suffix, annotated)
    found += back_references(toks, found, taken, aliases, words)
    found += _short_names(toks, found, taken)
    found = _owned(toks, sorted(found, key=lambda m: m.start))
    found = _vendor_products(toks, found)
    found = _hosted_engines(toks, found, catalog)
    found = _one_of_its_kind(toks, found)
    return _one_name_each(appositions(toks, found, aliases, words), aliases, words)


def _owns_named(toks: list[Tok], m: Mention, heads: set[int]) -> bool:
    """'the notion Leads database', 'the Airtable Orders base': a product word, then a
    capitalised name, then a head noun: the product's own object, so the word is the
    product."""
    k = m.end
    if k >= len(toks) or not toks[k].text[:1].isupper():
        return False
    while k < len(toks) and k - m.end < 3 and toks[k].text[:1].isupper():
        k += 1
    return k in heads


def _domain_stems(
    toks: list[Tok],
    found: list[SvcMention],
    aliases: dict[str, ServiceInfo],
    suffixes: frozenset[str],
    known: set[int],
) -> None:
    """'add the points in smile.io ... call shiphero or smile', 'via apollo.io ... apollo +
    close are throttled': a product named by its domain is named later by the name before
    the dot, unless a lexicon knows that word here (`known`: the tokens one annotates)."""
    domains = [
        (m, stem)
        for m in found
        if m.end - m.start == 1
        for stem, dot, suffix in [toks[m.start].norm.rpartition(".")]
        if dot and suffix in suffixes
    ]
    if not domains:
        return
    known_words = {toks[i].norm for i in known}
    for m, stem in domains:
        if len(stem) >= 4 and stem.isalpha() and stem not in known_words:
            aliases.setdefault(stem, m.info)


def _vendor_products(toks: list[Tok], found: list[SvcMention]) -> list[SvcMention]:
    """'create the invoice in Zoho Books ... Zoho's duplicate setting is on': a vendor's bare
    name stands for the one product of that vendor the text names in full (the lexicon's
    default for the bare name, Zoho CRM, is for texts that name no product of it). A vendor
    whose bare name is a product of its own of another kind stays that product: "twilio"
    beside SendGrid is Twilio's SMS, "Salesforce" beside Marketing Cloud the CRM."""
    products: dict[str, set[ServiceInfo]] = {}
    bare: list[int] = []
    for n, m in enumerate(found):
        vendor = m.info.vendor
        if vendor is None or m.info.generic:
            continue
        if " ".join(t.norm for t in toks[m.start : m.end]) == vendor:
            bare.append(n)
        else:
            products.setdefault(vendor, set()).add(m.info)
    out = list(found)
    for n in bare:
        m = found[n]
        named = products.get(m.info.vendor or "", set())
        if len(named) != 1 or m.info in named:  # ("Zoho CRM" named too: it stays)
            continue
        product = next(iter(named))
        if m.info.name.lower() == m.info.vendor and m.info.category != product.category:
            continue  # "email through sendgrid and text through twilio": Twilio's own SMS
        out[n] = SvcMention(product, m.start, m.end)
    return out


def _hosted_engines(
    toks: list[Tok], found: list[SvcMention], catalog: ServiceCatalog
) -> list[SvcMention]:
    """'upsert into our Supabase Postgres ... the Postgres connection password', 'writes to
    `provisioning` in Cloud SQL (Postgres)': a hosted database whose name or bracket names
    its engine is what that engine's name means in the text (one host per engine; two hosts
    of one engine leave the engine its own)."""
    engines, names = catalog.engine_words, catalog.engine_names
    hosts: dict[str, set[ServiceInfo]] = {}
    starts = {m.start: m for m in found}
    for m in found:
        if m.info.role != "datastore" or m.info.name in names or m.info.generic:
            continue
        inner = [engines.get(toks[i].norm) for i in range(m.start + 1, m.end)]
        if m.end + 2 < len(toks) and toks[m.end].text == "(":
            bracket = starts.get(m.end + 1)
            if bracket is not None and bracket.end < len(toks) and toks[bracket.end].text == ")":
                inner.append(bracket.info.name)
        for engine in inner:
            if engine is not None and engine in names:
                hosts.setdefault(engine, set()).add(m.info)
    one = {engine: next(iter(h)) for engine, h in hosts.items() if len(h) == 1}
    if not one:
        return found
    return [SvcMention(one.get(m.info.name, m.info), m.start, m.end) for m in found]


def _one_of_its_kind(toks: list[Tok], found: list[SvcMention]) -> list[SvcMention]:
    """'Video ingest for the newsroom CMS ... creates a video entry in Contentful': an API
    named only by its kind's word is the one product of that kind the text names, said in
    another sentence ('from HubSpot into our new CRM' names two)."""
    products: dict[str, list[SvcMention]] = {}
    for m in found:
        if not m.info.generic and m.info.role == "api":
            products.setdefault(m.info.category, []).append(m)
    if not products:
        return found
    kinds = [
        m
        for m in found
        if m.info.generic
        and m.info.rule.startswith("generic.category_word.")
        and len({o.info.name for o in products.get(m.info.category, [])}) == 1
    ]
    # "sync Google Classroom coursework into our LMS ... the LMS token": named apart once,
    # they are two systems everywhere
    apart = {
        m.info.name
        for m in kinds
        if any(_one_sentence(toks, m, o) for o in products[m.info.category])
    }
    same = {m.info.name: products[m.info.category][0].info for m in kinds}
    if not set(same) - apart:
        return found
    return [
        SvcMention(same[m.info.name], m.start, m.end)
        if m.info.generic and m.info.name in same and m.info.name not in apart
        else m
        for m in found
    ]


def _one_sentence(toks: list[Tok], a: SvcMention, b: SvcMention) -> bool:
    """Are the two mentions in one sentence (no full stop or line break between them)?"""
    lo, hi = (a, b) if a.start < b.start else (b, a)
    return not any(
        t.text in (".", "!", "?") or t.line != toks[lo.start].line for t in toks[lo.end : hi.start]
    )


def _short_names(toks: list[Tok], found: list[SvcMention], taken: set[int]) -> list[SvcMention]:
    """'notify the adjuster in Microsoft Teams. Guidewire and Teams writes are deduped': once
    a text has named a product in full, its last word written as a name (capitalised, as
    written there) is the same product, though alone it is too common a word to be an alias."""
    short: dict[str, tuple[ServiceInfo, int]] = {}
    for m in found:
        stem = _suffix_stem(toks[m.start].text) if m.end - m.start == 1 else ""
        if stem and not m.info.generic:
            short.setdefault(stem, (m.info, m.end))  # "CockroachDB" ... "the Cockroach certs"
        if m.info.generic or m.end - m.start < 2:
            continue
        last = toks[m.end - 1].text
        vendor = (m.info.vendor or "").lower()
        if len(last) >= 4 and last[:1].isupper() and last.isalpha() and last.lower() != vendor:
            short.setdefault(last, (m.info, m.end))
    refs: list[SvcMention] = []
    for i, tok in enumerate(toks):
        hit = short.get(tok.text)
        if hit is None or i in taken or i < hit[1]:
            continue
        refs.append(SvcMention(hit[0], i, i + 1))
        taken.add(i)
    return refs


def _suffix_stem(name: str) -> str:
    """'CockroachDB', 'RabbitMQ': a one-word name of a capitalised stem and an upper-case
    suffix; the stem written capitalised is the product too. '' for other names."""
    stem = name.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if len(name) - len(stem) < 2 or len(stem) < 4:
        return ""
    return stem if stem[0].isupper() and stem[1:].isalpha() and stem[1:].islower() else ""


def _before_a_service(toks: list[Tok], k: int, taken: set[int]) -> bool:
    """Is the quoted name ending at token k followed by a named service ('the `ledger` Kafka
    topic')? Unquoted, the word names a system of its own ('our WMS Postgres')."""
    if k >= len(toks) or toks[k].text not in ("`", '"', "'", "”", "’"):
        return False
    while k < len(toks) and toks[k].text in ("`", '"', "'", "”", "’"):
        k += 1
    return k in taken


def _qualifies_a_name(toks: list[Tok], start: int, end: int) -> bool:
    """'`crm.contacts`', '`erp.orders`': a word quoted as the first part of a dotted name
    that is no call (`crm.upsert(...)` calls one) is a schema or namespace."""
    if start == 0 or toks[start - 1].text != "`" or end + 1 >= len(toks):
        return False
    if toks[end].text != "." or toks[end - 1].ws or toks[end].ws:
        return False
    k = end + 1
    while k < len(toks) and not toks[k - 1].ws and toks[k].text.replace("_", "").isalnum():
        k += 1  # "`crm.contacts_v2`", "`crm.sales.contacts`"
        if k < len(toks) and toks[k].text in (".", "_") and not toks[k - 1].ws:
            k += 1
    return k > end + 1 and k < len(toks) and toks[k].text == "`" and not toks[k - 1].ws


def _words(name: str, fillers: frozenset[str]) -> frozenset[str]:
    tokens = name.lower().replace("’", "'").replace("'s", " ").replace("-", " ").split()
    return frozenset(t for t in tokens if t not in fillers)


def _one_name_each(
    found: list[SvcMention], aliases: dict[str, ServiceInfo], words: WordClasses
) -> list[SvcMention]:
    """One system spelt two ways is one system: 'Quillpay' and 'the Quillpay API', 'the
    Notify API' and 'GOV.UK Notify', 'the ledger DB' and 'the Northwind ledger DB'.

    A generic name whose words (fillers such as 'API' aside) all occur in another name is
    that service; the lexicon's name wins, else the longest. Two lexicon services never
    merge."""
    infos = list(dict.fromkeys(m.info for m in found))
    same: dict[str, ServiceInfo] = {}
    for info in infos:
        if not info.generic:
            continue
        mine = _words(info.name, words.name_filler)
        if not mine:
            continue
        wider = [
            o
            for o in infos
            if o is not info and o.role == info.role and mine <= _words(o.name, words.name_filler)
        ]
        if wider:
            best = min(wider, key=lambda o: (o.generic, -len(o.name)))
            same[info.name] = same.get(best.name, best)
    if not same:
        return found
    for word, info in list(aliases.items()):
        if info.name in same:
            aliases[word] = same[info.name]
    return [SvcMention(same.get(m.info.name, m.info), m.start, m.end) for m in found]


def _opens_phrase(toks: list[Tok], m: Mention) -> bool:
    """'create a payout in wise ... wise transfers get customerTransactionId': once the text
    uses the word as the system, the same word opening a sentence before a noun is that
    system ('we close deals' stays the verb: a subject comes before it)."""
    k = m.start - 1
    opens = k < 0 or toks[k].text in (".", ":", ";", "(", "-", "*") or toks[k].line_start
    nxt = toks[m.end] if m.end < len(toks) else None
    return opens and nxt is not None and nxt.text.isalpha() and nxt.text.islower()


def _system_place(toks: list[Tok], m: Mention, words: WordClasses) -> bool:
    """Is a lower-case English-word vendor ("wise", "square", "close") used as a system here:
    the target of an action ("create a transfer in wise"), a node of an arrow chain, or named
    with what systems have ("the wise api", "square webhooks", "close + hubspot")? Otherwise
    it is the word."""
    k = m.start - 1
    article = False
    while k >= 0 and toks[k].norm in ("the", "our", "their", "a", "an", "my"):
        article = article or toks[k].norm in ("the", "a", "an")
        k -= 1
    before = toks[k].norm if k >= 0 else ""
    after = toks[m.end].norm if m.end < len(toks) else ""
    if before == "of" and k >= 2 and toks[k - 1].norm == "front" and toks[k - 2].norm == "in":
        return True  # "a token bucket in front of wise": what the limiter guards
    if after == "of":
        return False  # "in front of the Square client", "a segment of users": the word
    if toks[m.end].text in ARROWS if m.end < len(toks) else False:
        return True  # "paddle -> entitlements-api -> segment": a node of a flow
    if m.start > 0 and toks[m.start - 1].text in ARROWS:
        return True
    # "env vars on the box": with an article the word is the noun, unless it is named with
    # what systems have ("the square api"); "in our notion", "create it in wise" are products
    if before == "|" and not article and (after in ("|", "(")):
        return True  # "| close (CRM) | create a lead |": a table cell that is the system
    if before == "to" and not article and after in DETERMINERS:
        return False  # "To close the loop", "to square the totals": an infinitive and its object
    if (before in SYSTEM_BEFORE and not article) or after in words.system_after:
        return True
    # "box jwt app creds", "wise api token": what systems have, a word or two further on
    ahead = [t.norm for t in toks[m.end : m.end + 3]]
    for n in range(1, len(ahead)):
        if ahead[n] in words.system_after:
            return all(x.isalpha() for x in ahead[:n])  # words between, no punctuation
    return False


def _coordinated(toks: list[Tok], m: Mention, strong: list[Mention]) -> bool:
    """'in github (org invite), notion (scim) and jira': a word listed with products is one."""
    for o in strong:
        # a listed name is a few words from its neighbour (one bracketed note at most): a
        # bound that keeps the reading linear in the text's length
        if o.end <= m.start and m.start - o.end <= _LIST_REACH:
            top = _top_level(toks, o.end, m.start)
        elif o.start >= m.end and o.start - m.end <= _LIST_REACH:
            top = _top_level(toks, m.end, o.start)
        else:
            continue
        if top is not None and 1 <= len(top) <= 2 and all(t in LIST_JOINERS for t in top):
            return True
    return False


_LIST_REACH = 16  # tokens between two listed names: two joiners and a bracketed note


def _top_level(toks: list[Tok], lo: int, hi: int) -> list[str] | None:
    """The words between two names outside one bracketed note ('(org invite)'), or None."""
    depth, brackets, out = 0, 0, []
    for t in toks[lo:hi]:
        if t.text == "(":
            depth += 1
            brackets += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0:
            out.append(t.norm)
    return out if depth == 0 and brackets <= 1 else None


def _owned(toks: list[Tok], found: list[SvcMention]) -> list[SvcMention]:
    """ "Civica's hosted records system": a generic system named by its owner is the owner."""
    out: list[SvcMention] = []
    for m in found:
        owner = out[-1] if out else None
        if (
            owner is not None
            and m.info.generic
            and owner.end + 1 == m.start
            and toks[owner.end].norm in ("'s", "’s")
            and owner.info.role == m.info.role
        ):
            out.append(SvcMention(owner.info, m.start, m.end))
            continue
        out.append(m)
    return out


def _longer_name(toks: list[Tok], m: Mention, name_starts: frozenset[str]) -> bool:
    """'Oracle Transportation Management': an ambiguous one-word alias that starts a longer
    proper name names another product."""
    if m.end - m.start != 1 or m.end >= len(toks) or toks[m.start].norm not in name_starts:
        return False
    nxt = toks[m.end]
    return nxt.text[:1].isupper() and nxt.text.isalpha() and not nxt.text.isupper()


def _inside_compound(toks: list[Tok], m: Mention, words: WordClasses) -> bool:
    """'sign-ups' is not UPS, 'SageMaker' is not Sage: a match must be whole words."""
    before = toks[m.start - 1] if m.start > 0 else None
    after = toks[m.end] if m.end < len(toks) else None
    if before is not None and not before.ws and before.text[:1].isalpha():
        return True  # the camelCase split of "SageMaker" gave "Sage" + "Maker"
    if after is not None and not toks[m.end - 1].ws and after.text[:1].isalpha():
        return True
    if in_identifier(toks, m.start, m.end):
        return True  # "harvest_entry_id", "shopify_orders": a field or table of ours
    if m.label == "secrets" and after is not None and after.text == ":" and not after.ws:
        return False  # "${from-vault:twilio/token}": a reference into the store, by its scheme
    if _in_url_path(toks, m.start):
        return True  # "our /hooks/shopify endpoint": a segment of a path of ours
    return (
        before is not None
        and before.text == "-"
        and not before.ws
        and m.start > 1
        and not toks[m.start - 2].ws
        and toks[m.start - 2].text.isalpha()
        and toks[m.start - 2].norm not in words.cloud_prefix
    )


def _in_url_path(toks: list[Tok], start: int) -> bool:
    """Is token `start` a segment of a path that opens with '/' ('/hooks/shopify', not the
    'Shopify' of 'Stripe/Shopify')?"""
    if start == 0 or toks[start - 1].text != "/" or toks[start - 1].ws:
        return False
    k = start - 1
    while k > 0 and not toks[k - 1].ws:
        k -= 1  # back to where the glued word starts
    return toks[k].text.startswith("/")


# ---- roles ----------------------------------------------------------------------------------


def attributive(m: SvcMention, toks: list[Tok], id_or_cred: set[int]) -> bool:
    """'the Shopify order ID', 'the Twilio auth token', 'the stripe customer's email': the
    service qualifies a noun (an identifier, a credential, or a noun that owns what follows)."""
    k = m.end
    if (
        k + 1 < len(toks)
        and toks[k].text.isalpha()
        and toks[k].text.islower()
        and toks[k + 1].norm in ("'s", "’s")
    ):
        return True
    skipped = 0
    line = toks[m.end - 1].line
    while k < len(toks) and skipped <= 3 and toks[k].line == line:  # a noun ends with its line
        if k in id_or_cred:
            return True
        tok = toks[k]
        if (tok.norm in NAME_STOPS and tok.norm not in ("'s", "’s")) or not (
            tok.text[:1].isalnum() or tok.text in ("'s", "’s", "-", "_")  # "transfer_id"
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
