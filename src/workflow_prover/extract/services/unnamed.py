"""Services the lexicon does not list, named by the way the text talks about them.

- a head noun and its modifiers: "our ledger DB", "the state licensing API";
- a category word: "our CRM";
- a capitalised name after a place preposition: "create the delivery in DoorDash Drive";
- a lower-case one the text uses as a system twice: "in shiphero ... never call shiphero";
- a schema key: `erp.post_invoice`;
- later references: "the ledger row", "the broker", "OTM"; and appositions that say a
  generic system is a product: "our ledger database (Postgres)".
"""

from __future__ import annotations

from workflow_prover.annotate.types import Annotation, Group, Mention, Tok
from workflow_prover.extract.layout.grammar import (
    NAME_STOPS,
    PLACE_PREPOSITIONS,
    in_identifier,
)
from workflow_prover.extract.layout.verbs import verb_form
from workflow_prover.extract.services.catalog import ServiceCatalog, ServiceInfo, SvcMention
from workflow_prover.lexicon.words import WordClasses


def appositions(
    toks: list[Tok], found: list[SvcMention], aliases: dict[str, ServiceInfo], words: WordClasses
) -> list[SvcMention]:
    """'our ledger database (Postgres)': the generic name and the product are one system,
    so every mention of the generic one (before and after) becomes the product."""
    same: dict[str, ServiceInfo] = {}
    for i, m in enumerate(found[:-1]):
        nxt = found[i + 1]
        head = toks[m.end].norm if m.end < len(toks) else ""
        k = m.end + 1 if head in words.bracket_head else m.end
        bracketed = (
            k < len(toks)
            and toks[k].text == "("
            and nxt.start <= k + 2
            # the brackets name the product, not something of it ("(the Shopify order ID ...")
            and any(t.text == ")" for t in toks[nxt.end : nxt.end + 3])
        )
        # "the SIS replica (Cloud SQL MySQL)": a database of the system, so a datastore
        role = "datastore" if head in words.database_head else m.info.role
        if bracketed and m.info.generic and not nxt.info.generic and nxt.info.role == role:
            same[m.info.name] = nxt.info
        elif _shortened(toks, m, nxt):
            same[nxt.info.name] = m.info  # "our woocommerce store (woo rest api)"
        elif _comma_apposition(toks, m, nxt):  # "in Attio, our CRM": the CRM is Attio
            same[nxt.info.name] = m.info
    if not same:
        return found
    for word, info in list(aliases.items()):
        if info.name in same:
            aliases[word] = same[info.name]
    return [SvcMention(same.get(m.info.name, m.info), m.start, m.end) for m in found]


def _shortened(toks: list[Tok], m: SvcMention, nxt: SvcMention) -> bool:
    """'our woocommerce store (woo rest api)': a generic name in brackets after a product,
    opening with a shortening of the product's name, is that product's API."""
    first = toks[nxt.start].norm
    name = m.info.name.lower().replace(" ", "")
    opening = nxt.start - 1
    return (
        opening in (m.end, m.end + 1)  # right after the name or its head noun ("store")
        and toks[opening].text == "("
        and nxt.end < len(toks)
        and toks[nxt.end].text == ")"
        and not m.info.generic
        and nxt.info.generic
        and len(first) >= 3
        and name.startswith(first)
        and name != first
    )


def _comma_apposition(toks: list[Tok], m: SvcMention, nxt: SvcMention) -> bool:
    """'creates the person in Attio, our CRM': a generic name set off by a comma and 'our'
    right after a named product, at the end of its phrase, is that product."""
    k = m.end
    return (
        not m.info.generic
        and nxt.info.generic
        and k + 2 < len(toks)
        and toks[k].text == ","
        and toks[k + 1].norm in ("our", "their", "the")
        and nxt.start == k + 2
        and (nxt.end >= len(toks) or toks[nxt.end].text in (".", ",", ";", ")", "!", "?"))
    )


def proper_names(
    ann: Annotation, taken: set[int], catalog: ServiceCatalog, known: set[int]
) -> list[SvcMention]:
    """'create the delivery in DoorDash Drive': a product the lexicon does not know.

    A run of capitalised words right after a place preposition ("in", "to", "via"...),
    optionally after "the"/"our", names the system acted on. Words the lexicons know as
    anything else (terms, cues, verbs: `known`, from `lexicon_tokens`) do not start such a
    name.
    """
    toks = ann.toks
    words = catalog.words
    ids = {m.start for m in ann.of(Group.TERM) if m.label == "ID_NOUN"}
    out: list[SvcMention] = []
    for i, tok in enumerate(toks):
        if tok.norm not in PLACE_PREPOSITIONS or (i > 0 and toks[i - 1].norm in words.ui_action):
            continue  # "one message per click on Upgrade": a button, not a system
        j = i + 1
        if j < len(toks) and toks[j].norm in ("the", "our", "their", "its", "a", "an"):
            j += 1
        if j + 1 < len(toks) and toks[j].text.islower() and toks[j + 1].norm in ("'s", "’s"):
            j += 2  # "into the grower's John Deere Operations Center account"
        if j < len(toks) and j not in taken and _domain(toks[j].text, words.domain_suffix):
            # "add loyalty points in smile.io": a product named by its domain, in any case
            info = catalog.info(toks[j].text, "hosting_api", "generic.domain_name", generic=True)
            out.append(SvcMention(info, j, j + 1))
            taken.add(j)
            continue
        k = j
        while (
            k < len(toks)
            and toks[k].text[:1].isupper()
            and toks[k].text.isalpha()
            and k not in taken
            and (k > j or k not in known or _camel(toks, k))  # "ShipHero" despite "ship"
            and k - j < 3
            and (k == j or toks[k].line == toks[k - 1].line)  # a name ends with its line
        ):
            k += 1
        if k == j or (k - j == 1 and toks[j].text.isupper() and len(toks[j].text) <= 3):
            continue
        if k in taken or (not toks[k - 1].ws and k < len(toks) and toks[k].text == "_"):
            continue  # "the LIMS Oracle database": a modifier; "Shipment_Ref__c": a field
        if k - 1 in ids or _glued(toks, j, k) or _type_name(toks, j, k, words.type_suffix):
            continue  # "keyed on the Toast GUID": an identifier; "EndToEndId": a field name
        name = ann.text[toks[j].start : toks[k - 1].end]
        out.append(
            SvcMention(catalog.info(name, "hosting_api", "generic.proper_name", generic=True), j, k)
        )
        taken.update(range(j, k))
    return out


def lexicon_tokens(ann: Annotation) -> set[int]:
    """The tokens some lexicon row annotates (a term, a cue, a verb, a context word)."""
    return {
        i
        for g in (Group.TERM, Group.CUE, Group.VERB, Group.CONTEXT)
        for m in ann.of(g)
        for i in range(m.start, m.end)
    }


def lower_names(
    ann: Annotation, taken: set[int], catalog: ServiceCatalog, known: set[int]
) -> list[SvcMention]:
    """'create the order in shiphero ... we never call shiphero without a key': a product
    the lexicon does not list, written in lower case (`known`: the tokens a lexicon row
    annotates, from `lexicon_tokens`).

    A lower-case word no lexicon knows is a product where the text uses it as a system at
    least twice, once in a place only a system takes: the bare object of a call verb ("call
    shiphero", "a service called shiphero") or the owner of what systems have ("spruce's
    dedup key"). A place preposition alone is not enough ("in bulk", "to staging" are words), so
    two such places never make a product.
    """
    toks = ann.toks
    words = catalog.words
    if not _any_strong_place(ann, words):
        return []  # (most texts: no call verb's bare object, no owner, so no product here)
    # the places first (a preposition or a call verb before, "'s" after): few tokens are
    openers = _TARGET_PREPOSITIONS | words.call_verb
    last = len(toks) - 1
    candidates = [
        i
        for i in range(1, len(toks))
        if toks[i - 1].norm in openers or (i < last and toks[i + 1].norm in ("'s", "’s"))
    ]
    if not candidates:
        return []
    places: dict[str, list[tuple[int, bool]]] = {}
    for i in candidates:
        tok = toks[i]
        if i in taken or i in known or not _plain_lower(tok) or in_identifier(toks, i, i + 1):
            continue
        strong = _strong_place(toks, i, words)
        if strong or _target_place(toks, i):
            places.setdefault(tok.norm, []).append((i, strong))
    if not any(strong for hits in places.values() for _, strong in hits):
        return []
    out: list[SvcMention] = []
    for norm, hits in places.items():
        if len(hits) >= 2 and any(strong for _, strong in hits):
            info = catalog.info(norm, "hosting_api", "generic.lower_name", generic=True)
            out.extend(SvcMention(info, i, i + 1) for i, _ in hits)
            taken.update(i for i, _ in hits)
    return out


def _any_strong_place(ann: Annotation, words: WordClasses) -> bool:
    """Is there a lower-case word after a call verb, or one before "'s"? (A cheap test.)"""
    toks = ann.toks
    for m in ann.of(Group.VERB):
        if (
            m.end < len(toks)
            and toks[m.start].norm in words.call_verb
            and _plain_lower(toks[m.end])
        ):
            return True
    return "'s" in ann.text or "’s" in ann.text


def _plain_lower(tok: Tok) -> bool:
    return (
        len(tok.text) >= 3
        and tok.text.isalpha()
        and tok.text.islower()
        and (tok.norm not in NAME_STOPS)
    )


def _strong_place(toks: list[Tok], i: int, words: WordClasses) -> bool:
    """The bare object of a call verb, or an owner of what systems have ("spruce's dedup
    key"); "the shiphero api" is a generic service already."""
    if i > 0 and toks[i - 1].norm in words.call_verb:
        return True
    ahead = [t.norm for t in toks[i + 1 : i + 5] if t.line == toks[i].line]
    return (
        len(ahead) >= 2
        and ahead[0] in ("'s", "’s")
        and (any(w in words.system_after for w in ahead[1:]))
    )


def _target_place(toks: list[Tok], i: int) -> bool:
    """Right after a place preposition, with no article, at the end of its phrase."""
    if i == 0 or toks[i - 1].norm not in _TARGET_PREPOSITIONS:
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return (
        nxt is None
        or nxt.line != toks[i].line
        or not nxt.text.isalpha()
        or nxt.norm in ("and", "or", "then")
    )


_TARGET_PREPOSITIONS = frozenset(("in", "into", "to", "via", "through"))


def _domain(text: str, suffixes: frozenset[str]) -> bool:
    """'smile.io', 'acme.app': one dot between a name and a domain suffix."""
    name, dot, suffix = text.lower().rpartition(".")
    return bool(dot) and suffix in suffixes and name.replace("-", "").isalnum()


def _type_name(toks: list[Tok], start: int, end: int, suffixes: frozenset[str]) -> bool:
    """'on ActivityFailure', 'catch PaymentDeclinedError': one CamelCase word ending in a
    word for an error, event or message is a type in code, not a product."""
    glued = end - start >= 2 and all(not toks[i].ws for i in range(start, end - 1))
    return glued and toks[end - 1].norm in suffixes


def _camel(toks: list[Tok], k: int) -> bool:
    """Is token k the first part of a CamelCase word ("Ship" of "ShipHero")?"""
    return (
        not toks[k].ws
        and k + 1 < len(toks)
        and toks[k + 1].text[:1].isupper()
        and toks[k + 1].text.isalpha()
    )


def _glued(toks: list[Tok], start: int, end: int) -> bool:
    """Is the name cut out of a longer camelCase identifier ("EndToEndId")? A product
    written in one word ("ShipHero", "LeanData") ends where the word ends."""
    last = toks[end - 1]
    return not last.ws and end < len(toks) and toks[end].text[:1].isalnum()


def head_aliases(
    toks: list[Tok], found: list[SvcMention], aliases: dict[str, ServiceInfo], words: WordClasses
) -> None:
    """'our EMQX broker' ... 'the broker': the head noun names that service later, whether
    it follows the name or ends it ('our Mosquitto broker', an alias of its own)."""
    named: dict[str, set[ServiceInfo]] = {}
    for m in found:
        if m.end < len(toks) and toks[m.end].norm in words.head_alias:
            named.setdefault(toks[m.end].norm, set()).add(m.info)
        elif m.end - m.start >= 2 and toks[m.end - 1].norm in words.head_alias:
            named.setdefault(toks[m.end - 1].norm, set()).add(m.info)
    for word, infos in named.items():
        if len(infos) == 1:
            aliases.setdefault(word, next(iter(infos)))


def _named_by_next(
    toks: list[Tok], j: int, heads: dict[int, str], names: frozenset[str]
) -> str | None:
    """ "our `docs-review` service", "`points-ledger`, an internal HTTP service": a quoted
    slug whose next word, or its apposition's head, is a slug head is that system's name,
    whatever its own last part."""
    k = j + 1
    if k < len(toks) and toks[k].text == "`" and not toks[j].ws:
        k += 1
    if k == j + 1 or k >= len(toks):
        return None
    if toks[k].text == "," and k + 1 < len(toks) and toks[k + 1].norm in ("a", "an", "our"):
        # "`points-ledger`, an internal HTTP service": the apposition says what it is
        for h in range(k + 2, min(k + 6, len(toks))):
            if toks[h].norm in names and h in heads:
                return heads[h]
            if not toks[h].text.isalnum():
                return None
        return None
    if toks[k].norm not in names:
        return None  # "`docs-dlq` redis stream": a store's name, read by the store's rules
    return heads.get(k)


def slug_services(ann: Annotation, taken: set[int], catalog: ServiceCatalog) -> list[SvcMention]:
    """`billing-svc`, `ledger-api`, `contract-relay`, `orders-db`: a service by its shape.

    Words joined by hyphens with no space, the last one a slug head of the terms lexicon
    (`SLUG_HEAD`: svc, api, relay, gateway...; db, pg for a database), name one internal
    system, called as written. Inside a URL or a path it is part of an address instead.
    """
    toks = ann.toks
    heads = {m.start: m.category for m in ann.of(Group.TERM) if m.label == "SLUG_HEAD"}
    slugs: list[tuple[int, int, str, str | None]] = []
    i = 0
    while i < len(toks):
        j = i
        while (
            j + 2 < len(toks)
            and toks[j + 1].text == "-"
            and not toks[j].ws
            and not toks[j + 1].ws
            and toks[j + 2].text[:1].isalnum()
        ):
            j += 2
        if j == i:  # no hyphen: no slug starts here
            i += 1
            continue
        category = heads.get(j) or _named_by_next(toks, j, heads, catalog.words.named_by_next)
        slugs.append((i, j + 1, "".join(t.text for t in toks[i : j + 1]), category))
        i = j + 1
    # "`points-ledger`, an internal HTTP service ... POST to points-ledger": one system
    kinds: dict[str, str] = {}
    for _, _, name, category in slugs:
        if category is not None:
            kinds.setdefault(name.lower(), category)
    out: list[SvcMention] = []
    for i, end, name, category in slugs:
        category = category or kinds.get(name.lower())
        if category and not any(k in taken for k in range(i, end)):
            before = toks[i - 1] if i > 0 else None
            in_address = before is not None and not before.ws and before.text in ("/", ".", ":")
            if not in_address:
                info = catalog.info(name, category, "generic.slug", generic=True)
                out.append(SvcMention(info, i, end))
                taken.update(range(i, end))
    return out


def dotted_calls(ann: Annotation, taken: set[int], catalog: ServiceCatalog) -> list[SvcMention]:
    """`mender.create_deployment`, `erp.post_invoice`: schema keys name the service called."""
    toks = ann.toks
    verbs = {
        m.start
        for m in ann.of(Group.VERB)
        if toks[m.start].text.islower() and verb_form(toks[m.start].text) == "base"
    }
    # "chat.postMessage" is a method of the API named elsewhere, not a system called "chat"
    common = {m.start for m in ann.of(Group.TERM) if m.label == "COMMON"}
    ids = {m.start for m in ann.of(Group.TERM) if m.label == "ID_NOUN"}
    helpers = _local_objects(toks, catalog)
    out: list[SvcMention] = []
    for i in range(len(toks) - 2):
        tok, dot = toks[i], toks[i + 1]
        if (
            i in taken
            or tok.norm in helpers
            or not tok.text.isalpha()
            or dot.text != "."
            or tok.ws
            or dot.ws
            or i + 2 not in verbs
            or tok.norm in catalog.words.generic_adjective
            or i in common
            or len(tok.text) < 3
        ):
            continue
        if i + 3 < len(toks) and toks[i + 3].norm in catalog.words.event_noun:
            continue  # "the user.lifecycle.activate event": an event's name, no call
        if (
            i + 4 < len(toks)
            and toks[i + 3].text == "_"
            and not toks[i + 2].ws
            and verb_form(toks[i + 4].text) == "past"
        ):
            continue  # "`support.export_failed`": a table named for what failed, no call
        if i + 4 < len(toks) and toks[i + 3].text == "_" and i + 4 in ids:
            continue  # "req.refund_id": a field of an object, no call
        first = first_segment(toks, i)  # `acme.invoices.create`: acme is called
        if first > 0 and toks[first - 1].text == "_" and not toks[first - 1].ws:
            continue  # "`group.user_membership.add`": a part of a longer identifier, no call
        if first in taken or not toks[first].text.isalpha() or len(toks[first].text) < 3:
            continue
        if first > 0 and not toks[first - 1].ws and toks[first - 1].text in ("$", "@", "{{"):
            continue  # "{{ $json.customer.email }}": a template's variable, no call
        if first > 1 and toks[first - 1].text in ("(", "`") and first - 2 in taken:
            continue  # "to the google merchant api (products.insert, ...)": its method
        out.append(
            SvcMention(
                catalog.info(toks[first].text, "hosting_api", "generic.dotted_call", generic=True),
                first,
                first + 1,
            )
        )
        taken.add(first)
    names = {m.info.name.lower(): m.info for m in out}
    out += [
        SvcMention(names[t.norm], k, k + 1)
        for k, t in enumerate(toks)
        if t.norm in names and k not in taken
    ]
    return out


def _local_objects(toks: list[Tok], catalog: ServiceCatalog) -> frozenset[str]:
    """Names the code assigns from a constructor or a call that makes no client: in
    `bucket = TokenBucket(rate=20)`, `const limiter = new Bottleneck(...)` and
    `const evt = JSON.parse(msg.value)` the receiver is a local object, so `bucket.take()`
    calls no system. `erp = ErpClient(url)` and `hs = connect(...)` make clients."""
    out: set[str] = set()
    for i in range(1, len(toks) - 2):
        if toks[i].text != "=" or toks[i + 1].text == "=" or toks[i - 1].text in "=!<>":
            continue
        name = _assigned_name(toks, i)
        if name is None:
            continue
        k = i + 1
        while k < len(toks) - 1 and toks[k].norm in ("new", "await"):
            k += 1
        if toks[k].text in ("[", "{", "'", '"', "`") or toks[k].text[:1].isdigit():
            out.add(name)  # `const failed: string[] = []`: a value, no system
            continue
        maker = [t.norm for t in toks[k : k + 6] if t.text not in (".", "_")][:3]
        called = any(t.text == "(" for t in toks[k : k + 7])
        if not called or not toks[k].text[:1].isalpha():
            continue
        if any(w in catalog.words.client_maker for w in maker):
            continue
        out.add(name)
    return frozenset(out)


def _assigned_name(toks: list[Tok], eq: int) -> str | None:
    """The name an `=` assigns to: the word before it, or after `const`/`let`/`var` in a
    typed declaration (`const failed: string[] = []`)."""
    if toks[eq - 1].text[:1].isalpha() or toks[eq - 1].text[:1] == "_":
        return toks[eq - 1].norm
    for k in range(eq - 2, max(eq - 8, 0) - 1, -1):
        if toks[k].norm in ("const", "let", "var") and k + 1 < eq:
            return toks[k + 1].norm
    return None


def first_segment(toks: list[Tok], i: int, floor: int = 0) -> int:
    """Where the dotted name ending at token `i` starts (`acme.invoices.create` from
    `create`: at `acme`), not before `floor`."""
    while i - 2 >= floor and toks[i - 1].text == "." and not toks[i - 1].ws and not toks[i - 2].ws:
        i -= 2
    return i


def generic(
    toks: list[Tok], head: Mention, taken: set[int], hints: dict[int, str], catalog: ServiceCatalog
) -> SvcMention | None:
    if in_identifier(toks, head.start, head.end):
        return None  # "the crm_exports table", "`erp_sync`": part of a name, no system
    words = catalog.words
    if (
        head.label in ("CATEGORY_WORD", "GENERIC_HEAD")
        and head.category != "hosting_api"
        and _owns_an_api(toks, head.end, words.endpoint_head)
    ):
        return None  # "the customs broker's REST API": an API, which its head builds
    if head.label == "CATEGORY_WORD":
        nxt = toks[head.end] if head.end < len(toks) else None
        if nxt is not None and nxt.norm in words.endpoint_head:
            return None  # the head noun that follows builds the mention

        if nxt is not None and nxt.norm in words.data_noun:
            return None  # "insert ledger rows into Postgres": what is written, not where
        name = " ".join(t.text for t in toks[head.start : head.end])
        return SvcMention(
            catalog.info(name, head.category, f"generic.{head.rule}", generic=True),
            head.start,
            head.end,
        )
    if (
        head.end < len(toks)
        and not toks[head.end - 1].ws
        and toks[head.end].text == "-"
        and head.end + 1 < len(toks)
        and toks[head.end + 1].text[:1].isalpha()
    ):
        return None  # "the previous hour's API-call counts": a compound noun, no system
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
            t.norm in words.generic_adjective
            for t in toks[i + 1 : head.start]
            if t.text[:1].isalnum()
        )
        if owner:  # "the state immunization registry's REST API": the owner names it
            start = i
            i -= 1
            continue
        if tok.norm in NAME_STOPS and not (tok.norm == "and" and _capitalised(toks, i)):
            break
        if not (tok.text[:1].isalnum() or tok.text in ("-", "&", "/") or _url_path(tok.text)):
            break
        if tok.norm in words.not_a_name:
            break  # "Failed API calls go to a DLQ" names no service
        start = i
        i -= 1
    # "their /notify endpoint": a URL path names the endpoint as a word does
    modifiers = [t for t in toks[start : head.start] if t.text[:1].isalnum() or _url_path(t.text)]
    head_word = toks[head.end - 1].norm
    by_role = any(t.norm in words.role_modifier for t in modifiers)  # "partner APIs"
    vague = not modifiers or all(t.norm in words.generic_adjective for t in modifiers)
    k = start - 1
    while k >= 0 and toks[k].norm in ("the", "our", "their", "a", "an", "each"):
        k -= 1
    placed = k >= 0 and toks[k].norm in PLACE_PREPOSITIONS | {"against"}
    provider = head_word in words.provider_head
    if vague and not by_role and not (provider and (modifiers or placed)):
        return None  # "against the provider" is a system; "some vendor" is not said to be
    category = head.category
    if category == "hosting_api":
        for k in range(start, head.start):
            hint = hints.get(k, category)
            # "our ledger service": a service head is reached over HTTP, whatever data its
            # word suggests; "our email service" is still the kind of API its word says
            if catalog.role(hint) == "api":
                category = hint
    name = _span_text(toks, start, head.end)
    return SvcMention(
        catalog.info(name, category, f"generic.{head.rule}", generic=True), start, head.end
    )


def _owns_an_api(toks: list[Tok], k: int, heads: frozenset[str]) -> bool:
    """Is a possessive and an endpoint head next ("broker's REST API", "bank's API")?"""
    if k >= len(toks) or toks[k].text not in ("'s", "’s"):
        return False
    k += 1
    while k < len(toks) and toks[k].norm in ("rest", "http", "https", "graphql", "soap", "public"):
        k += 1
    return k < len(toks) and toks[k].norm in heads


def _url_path(text: str) -> bool:
    """'/notify', '/v1/orders': a URL path written as one token."""
    return len(text) > 1 and text[0] == "/" and text[1:2].isalnum()


def known_generic(
    toks: list[Tok], mention: SvcMention, head: Mention, aliases: dict[str, ServiceInfo]
) -> ServiceInfo | None:
    """A generic service named again with fewer (or other) modifiers and the same head, or
    as the owner of the endpoint named ('the provider's /payouts endpoint')."""
    head_word = toks[head.start].norm
    for k in range(mention.start, head.start):
        # "the partner's HTTPS upload API" ... "the partner API key": its owner and its head
        known = aliases.get(f"{toks[k].norm} {head_word}") or aliases.get(toks[k].norm)
        if known is None or not known.generic:
            continue
        if known.name.lower().endswith(head_word):
            return known
        if k + 1 < head.start and toks[k + 1].norm in ("'s", "’s"):
            return known  # "the payment provider" ... "the provider's /payouts endpoint"
    return None


def _span_text(toks: list[Tok], start: int, end: int) -> str:
    """The words as written, spacing included ("Grade Services (AGS) endpoint")."""
    return "".join(t.text + t.ws for t in toks[start:end]).strip()


def _capitalised(toks: list[Tok], i: int) -> bool:
    return (
        0 < i < len(toks) - 1 and toks[i - 1].text[:1].isupper() and toks[i + 1].text[:1].isupper()
    )


def _unknown_word(tok: Tok, known: set[int]) -> bool:
    """A lower-case word no lexicon annotates, long enough to be a product's name, and a word
    of its own (in 'the audit-log API', 'audit' is part of a compound)."""
    return (
        tok.i not in known
        and bool(tok.ws)
        and tok.text.isalpha()
        and tok.text.islower()
        and len(tok.text) >= 4
    )


_PROTOCOL_WORDS = frozenset(("rest", "http", "https", "graphql", "soap", "json", "xml"))


def name_aliases(
    toks: list[Tok], mention: SvcMention, head: Mention, words: WordClasses, known: set[int]
) -> list[str]:
    """Words a later text may use for a generic service: its first modifier when it is a
    name (capitalised, or a word no lexicon knows: 'the kestrel payments api' ... 'kestrel'),
    its last modifier, its acronyms. `known`: the tokens some lexicon annotates."""
    if not mention.info.generic:
        return []
    mods = [
        t
        for t in toks[mention.start : head.start]
        if t.text[:1].isalnum()
        and t.norm not in words.generic_adjective
        and t.norm not in words.vague_name
        and t.norm not in _PROTOCOL_WORDS  # "... REST API": "the rest" names nothing
    ]
    out = [t.norm for t in mods if t.text.isupper() and len(t.text) >= 2]
    name = [t for t in toks[mention.start : head.start] if t.text[:1].isalnum()]
    if len(name) >= 2 and all(t.text[:1].isupper() and t.text[1:].islower() for t in name):
        # "the Oracle Transportation Management REST API" ... "OTM credentials"
        out.append("".join(t.norm[0] for t in name))
    if mods and mods[0].text[:1].isupper() and len(mods[0].text) >= 3:
        out.append(mods[0].norm)  # a proper name: "The Arc token" is the Arc Content API's
    elif mods and _unknown_word(mods[0], known):
        out.append(mods[0].norm)  # lower case, as chat writes it: "all creds (mysql + kestrel)"
    if mods and len(mods[-1].text) >= 3:
        out.append(mods[-1].norm)
    if head.label == "CATEGORY_WORD":
        out.append(" ".join(t.norm for t in toks[head.start : head.end]))
    first = toks[head.start]
    if (
        head.end - head.start > 1
        and first.text.isupper()
        and len(first.text) >= 3
        and first.norm not in _PROTOCOL_WORDS
    ):
        out.append(first.norm)  # "the partner's SFTP server" ... "the SFTP private key"
    if toks[head.end - 1].norm in words.provider_head:
        out.append(toks[head.end - 1].norm)  # "the payment provider" ... "the provider"
    owner = mention.start - 2
    if owner >= 0 and toks[owner + 1].norm in ("'s", "’s") and toks[owner].text.isalpha():
        # "the partner's HTTPS upload API" is "the partner API"; a key of two words, so a
        # bare "partner" elsewhere names nothing by it
        out.append(f"{toks[owner].norm} {toks[head.start].norm}")
    return out


def back_references(
    toks: list[Tok],
    found: list[SvcMention],
    taken: set[int],
    aliases: dict[str, ServiceInfo],
    words: WordClasses,
) -> list[SvcMention]:
    """'the ledger row', 'the TMS': a generic service named again by its distinctive word."""
    if not aliases:
        return []
    first: dict[str, int] = {}  # where each service is first named (found is not in order)
    for m in found:
        first[m.info.name] = min(m.start, first.get(m.info.name, m.start))
    refs: list[SvcMention] = []
    for i, tok in enumerate(toks):
        info = aliases.get(tok.norm)
        # not before the text first names it; a name an earlier turn gave is known anywhere
        if info is None or i in taken or i < first.get(info.name, 0):
            continue
        if i > 0 and toks[i - 1].norm in ("a", "an", "another", "new"):
            continue  # "buys a label": an indefinite noun is something new, no reference
        if in_identifier(toks, i, i + 1):
            continue  # "harvest_entry_id" names a field, not the Harvest API
        if i > 0 and toks[i - 1].text in ("#", "@") and not toks[i - 1].ws:
            continue  # "#auth-oncall" is a channel, "@billing" a handle
        if i + 1 < len(toks) and toks[i + 1].norm in words.runtime_noun:
            continue  # "our syndication worker" is the workflow itself
        refs.append(SvcMention(info, i, i + 1))
        taken.add(i)
    return refs
