"""Verbs by spelling: which form a verb-shaped word has, and whether it acts as a verb here.

The blank pipeline has no tagger, so "the Slack post is skipped" (a noun) and "post the
summary to Slack" (a verb) are told apart by the words around them.
"""

from __future__ import annotations

from collections.abc import Collection

from workflow_prover.annotate.types import Mention, Tok
from workflow_prover.extract.layout.grammar import (
    ARRIVAL_PREPOSITIONS,
    AUXILIARIES,
    DETERMINERS,
    IRREGULAR_PAST,
    MARKUP,
    NOT_NOUNS,
    OBJECT_PRONOUNS,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
    glued_hyphen,
    object_starter,
)
from workflow_prover.lexicon.words import WordClasses

_LEADING_MARKUP = MARKUP | {"#", ">", "-", "•"}  # what may open a clause before its words


# after "<gerund or noun> <flow noun>" these show the flow noun ends a noun phrase ("the
# billing sync (nightly)", "Onboarding workflow for ..."), not a verb with its object
_TITLE_NOUN_ENDS = frozenset(
    ("for", "(", ":", ".", ",", ";", "-", "—", "that", "which", "is", "runs")
)

_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")


def _date_before(toks: list[Tok], s: int, lead: int) -> bool:
    """'on the 25th pull approved timesheets': a day of the month after 'on the' is a date,
    so the word after it is the clause's verb, not a noun it counts."""
    day = toks[s - 1].norm
    return (
        s - 3 >= lead
        and day[:-2].isdigit()
        and day.endswith(_ORDINAL_SUFFIXES)
        and toks[s - 2].norm == "the"
        and toks[s - 3].norm in ("on", "by", "until")
    )


def verb_form(text: str) -> str:
    """'base', 'third', 'past' or 'ing' (from spelling; the lexicons list the forms)."""
    low = text.lower()
    head = low.split()[0] if " " in low else low
    if head.endswith("ing"):
        return "ing"
    if head.endswith("ed") or head in IRREGULAR_PAST:
        return "past"
    if head.endswith("s") and not head.endswith("ss"):
        return "third"
    return "base"


def _opens_item(toks: list[Tok], s: int, lead: int) -> bool:
    """Is the word at s the first of an enumerated item ('1) reads', '(2) creates')?"""
    return (
        s - 2 >= lead
        and toks[s - 1].text in (")", ".")
        and (
            toks[s - 2].text.isdigit()
            or (len(toks[s - 2].text) == 1 and toks[s - 2].text.isalpha())
        )
    )


def is_verbal(
    verb: Mention,
    toks: list[Tok],
    words: WordClasses,
    service_toks: set[int],
    clause_start: int,
    in_item: bool,
    verb_starts: Collection[int] = frozenset(),
) -> bool:
    """Is this verb-shaped word used as a verb here? ("the Slack post is skipped": no)."""
    s, e = verb.start, verb.end
    lead = clause_start
    while lead < s and toks[lead].text in _LEADING_MARKUP:
        lead += 1  # "**Calls to the LMS.**": the clause starts after its markup
    prev = toks[s - 1] if s > lead else None
    if prev is not None and s > 1 and prev.text.isdigit() and toks[s - 2].norm in words.step_marker:
        prev = None  # "step 2 buys a label": the step's number, then its verb
    nxt = toks[e] if e < len(toks) else None
    form = verb_form(toks[s].text)
    if s in service_toks and prev is not None and toks[s].text[:1].isupper():
        return False  # "a task in Close", "Mailgun, Close and Slack keys": the product
    if (
        toks[s].norm in words.ui_action
        and nxt is not None
        and (nxt.text in _QUOTES or nxt.text == "`" or _capitalised(nxt))
    ):
        return False  # "the producer hits 'ready' in our CMS": a person presses a button
    if toks[s].norm in words.object_verb and not _object_follows(toks, e, words):
        return False  # "the scheduler fires every 10 min": when a run starts, no sending
    if (
        e in verb_starts
        and form == "third"
        and not _adjective_follows(toks, e)
        # "the job lists charges from Stripe": after a runner of ours it is the verb
        and not (prev is not None and (prev.norm in words.runner_noun or prev.norm == "it"))
        # "1) reads orders from pg": an item's first word, its subject the flow's
        and not _opens_item(toks, s, lead)
    ):
        return False  # "truck GPS pings arrive": a plural noun, then its verb
    if (
        form == "base"
        and nxt is not None
        and verb_form(nxt.text) == "third"
        and e + 1 < len(toks)
        and toks[e + 1].norm in DETERMINERS
        and prev is not None
        and prev.text[:1].isalpha()
        and prev.norm not in SUBJECT_PRONOUNS
        and prev.norm not in AUXILIARIES
        and prev.norm not in NOT_NOUNS
    ):
        return False  # "the zentrix post carries the key": a noun, then its verb
    if form == "third" and nxt is not None and nxt.text in ("(", ",", ":", ")"):
        return False  # "Outbound calls (OTM, SendGrid) use backoff": a plural noun
    if (
        form == "base"
        and s - 1 == lead
        and prev is not None
        and prev.text.isalpha()
        and prev.norm not in SUBJECT_PRONOUNS | AUXILIARIES | NOT_NOUNS
        and nxt is not None
        and nxt.text in ("(", ":")
    ):
        return False  # "lead sync (pipedrive into mailchimp)": a noun and its verb, a title
    if (
        form in ("ing", "base")
        and nxt is not None
        and nxt.norm in words.title_noun
        and (e + 1 >= len(toks) or toks[e + 1].norm in _TITLE_NOUN_ENDS)
    ):
        return False  # "Onboarding workflow for new Okta users:", "the invoice sync": a name
    if prev is not None and prev.norm == "as" and form in ("third", "base"):
        return False  # "arrive as messages on the subscription": what they arrive as
    if form == "third" and verb.label == "WRITE" and nxt is not None and nxt.norm == "from":
        return False  # "ORU messages from Mirth Connect arrive": a plural noun
    if (
        form == "past"
        and nxt is not None
        and nxt.text.isalpha()
        and nxt.text.islower()
        and nxt.norm not in PREPOSITIONS | DETERMINERS | AUXILIARIES
        and nxt.norm not in ("and", "or", "as", "by", "after", "before", "when", "if")
    ):
        return False  # "read approved pay runs": an adjective
    prefixed = s > 1 and toks[s - 2].norm in words.verb_prefix  # "batch-upsert", "re-create"
    if (nxt is not None and not toks[e - 1].ws and nxt.text == "-") or (
        s > 0 and not toks[s - 1].ws and toks[s - 1].text in ("-", "_") and not prefixed
    ):
        return False  # part of a compound: "sign-ups", "retry_exponential_backoff"
    if _event_name_part(toks, s, e, form, words.event_name_noun, verb_starts):
        return False  # "the user.lifecycle.activate event hook", "order.placed", "orders/paid"
    # (a verb that starts an identifier still acts: "create_ticket: Jira", "post_invoice");
    # a participle there names a table: "sent_welcomes", "processed_events", "failed_syncs"
    glued = nxt is not None and not toks[e - 1].ws and nxt.text in ("_", ".")
    if glued and (form != "base" or not _names_an_action(toks, s, e, lead)):
        return False  # "`order_id`", "the send_log table": an identifier
    if (
        prev is not None
        and prev.text == "`"
        and nxt is not None
        and nxt.text == "`"
        and not (toks[s].text.isupper() and len(toks[s].text) > 2)  # "`MERGE` into X" acts
    ):
        return False  # "the `labels` bucket": a name in code on its own, no action
    if (
        prev is not None
        and prev.text in ("(", ",")
        and nxt is not None
        and nxt.text in (",", ")")
        and "," in (prev.text, nxt.text)  # a list: "(id, email)", not a remark "(email)"
        and toks[s].text.islower()
        and _in_brackets(toks, s, lead)
    ):
        return False  # "INSERT INTO registrations (id, email)": an item of a bracketed list
    if _quoted_name(toks, s, e, lead):
        return False  # "our 'Refunds' Airtable base": a name in quotes after a determiner
    if prev is not None and prev.text == "`":
        # "a `lead.created` message": a name in code between the determiner and the noun
        # "trigger: `order.refunded` message on the topic": after a label, the same noun
        opening = next((k for k in range(s - 2, lead - 1, -1) if toks[k].text == "`"), None)
        if opening is not None and opening > lead:
            opener = toks[opening - 1]
            if opener.norm in DETERMINERS or (opener.text == ":" and form == "base"):
                return False
        if (
            opening is not None
            and toks[s].norm in words.event_name_noun
            and any(t.text in (".", "/") for t in toks[opening + 1 : s - 1])
        ):
            return False  # "Trigger: `registration.created` messages on ...": the event's noun
    if prev is not None and not (
        prev.norm in ("each", "every") and _method_with_object(toks, s, nxt)
    ):  # "for each POST a summary to notes-api": 'each' is a pronoun, POST the verb
        if (
            prev.norm in DETERMINERS
            and prev.norm not in ("that", "which")
            and not _pronoun_one(toks, s, lead)
            and not _statement_with_target(toks, s, nxt)
        ):
            return False
        if prev.norm in ("per", "each", "every"):
            return False  # "a fresh UUID per request", "every call": a noun
        if prev.norm == "by" and form == "base":
            return False  # "runs it by hand", "sent by post": a verb after 'by' is a gerund
        if prev.norm in PREPOSITIONS and nxt is not None and nxt.norm in words.time_noun:
            return False  # "built at send time": a noun compound
        if prev.norm in words.noun_modifier and prev.text.islower():
            return False  # "salesforce outbound message (webhook)": a noun
        if (
            toks[s].text[:1].isupper()
            and (prev.text[:1].isalpha() or prev.text == "=")
            and _capitalised(nxt)
        ):
            return False  # "on opp stage = Closed Won": a name in title case
        if toks[s].text[:1].isupper() and prev.norm in words.ui_action:
            return False  # "when an editor hits Publish": the button's name
        if (prev.text[:1].isdigit() and not _date_before(toks, s, lead)) or prev.norm in (
            "'s",
            "’s",
        ):
            return False  # "the 3 posts": a count and its noun
        if s >= 3 and glued_hyphen(toks, s - 2) and toks[s - 3].text[:1].isdigit():
            return False  # "on a 5-minute schedule": a measure, then its noun
        if form == "base" and _after_identifier(toks, s, lead):
            return False  # "in the zendesk_id field", "the `order.ref` check": a noun
        if s - 1 in service_toks:
            before = toks[s - 2] if s - 2 >= clause_start else None
            if before is not None and before.norm in DETERMINERS:
                return False
            strong = form == "third" or (
                nxt is not None
                and (
                    nxt.norm in DETERMINERS
                    or nxt.norm in ("us", "them", "it")
                    or nxt.text[:1].isdigit()
                    # "messages from Mirth Connect arrive on our queue": a delivery
                    or (verb.label == "RECEIVE" and nxt.norm in ARRIVAL_PREPOSITIONS)
                )
            )
            if not strong:
                return False
    if (
        nxt is not None
        and nxt.norm in AUXILIARIES
        and nxt.norm not in ("get", "gets", "go", "goes")
    ):
        return False
    if prev is None and not in_item and verb_form(toks[s].text) == "third":
        if _relative_subject(toks, e):
            return False  # "Requests that exhaust their attempts are written to ...": a noun
        return nxt is not None and object_starter(nxt) and nxt.norm not in PREPOSITIONS
    return True


_QUOTES = {"'": "'", '"': '"', "‘": "’", "“": "”"}


def _quoted_name(toks: list[Tok], s: int, e: int, lead: int) -> bool:
    """Is the verb the one word in quotes right after a determiner or a possessive?"""
    if s - 2 < lead or e >= len(toks):
        return False
    close = _QUOTES.get(toks[s - 1].text)
    before = toks[s - 2].norm
    return (
        close is not None
        and toks[e].text == close
        and (before in DETERMINERS or before in ("our", "their", "its", "my", "your"))
    )


def _in_brackets(toks: list[Tok], s: int, lead: int) -> bool:
    """Is token s inside an open round bracket of its clause?"""
    depth = 0
    for k in range(s - 1, lead - 1, -1):
        if toks[k].text == ")":
            depth += 1
        elif toks[k].text == "(":
            if depth == 0:
                return True
            depth -= 1
    return False


def _statement_with_target(toks: list[Tok], s: int, nxt: Tok | None) -> bool:
    """'a MERGE into `analytics.invoices`', 'with a POST /invoices': an SQL statement or an
    HTTP method in capitals, named with its target, is the action even after a determiner."""
    return (
        toks[s].text.isupper()
        and len(toks[s].text) > 2
        and nxt is not None
        and (nxt.norm in ("into", "to", "against") or nxt.text.startswith("/"))
    )


def _pronoun_one(toks: list[Tok], s: int, lead: int) -> bool:
    """'then for each one send a dunning email': 'one' after 'each' stands for a noun, so the
    word after it is the verb, not a noun it determines."""
    return toks[s - 1].norm == "one" and s - 2 >= lead and toks[s - 2].norm in ("each", "every")


def _relative_subject(toks: list[Tok], e: int) -> bool:
    """'Requests that exhaust their attempts are written ...': a plural noun, a relative
    clause, then the main clause's auxiliary a few words on."""
    if e >= len(toks) or toks[e].norm not in ("that", "which", "who"):
        return False
    return any(toks[k].norm in AUXILIARIES for k in range(e + 2, min(e + 8, len(toks))))


def _after_identifier(toks: list[Tok], s: int, lead: int) -> bool:
    """Does an identifier glued with '_' or '.' end right before token s ('zendesk_id field')?"""
    k = s - 1
    if k - 1 < lead or toks[k - 1].text not in ("_", ".") or toks[k - 1].ws:
        return False
    return toks[k - 2].text[:1].isalnum() if k - 2 >= lead else False


def _method_with_object(toks: list[Tok], s: int, nxt: Tok | None) -> bool:
    """'for each POST a summary to notes-api': an HTTP method written as one, with its
    object after it, is the verb even after 'each'."""
    return toks[s].text.isupper() and nxt is not None and nxt.norm in DETERMINERS


def _object_follows(toks: list[Tok], e: int, words: WordClasses) -> bool:
    """Does an object start right after the verb ('fire *a* klaviyo event', 'fires events
    to segment'), not a time or a condition ('fires every 10 min', 'fires whenever ...')?"""
    if e >= len(toks):
        return False
    nxt = toks[e]
    if nxt.norm in ("every", "each"):
        after = toks[e + 1] if e + 1 < len(toks) else None
        return after is not None and not (
            after.text[:1].isdigit()
            or after.norm in words.schedule_unit
            or after.norm in words.time_noun  # "fired every time an action occurs"
        )
    if nxt.norm in DETERMINERS or nxt.norm in OBJECT_PRONOUNS:
        return True
    if nxt.norm in PREPOSITIONS or nxt.norm in words.clause_trigger:
        return False
    return nxt.text[:1].isalpha() and nxt.norm not in words.condition_introducer


def _adjective_follows(toks: list[Tok], e: int) -> bool:
    """'pulls open orders': the next verb-shaped word qualifies a noun."""
    k = e + 1
    if k < len(toks) and not toks[e].ws and toks[k].text == "-":
        return True  # "pulls closed-won deals": a hyphenated adjective
    return (
        k < len(toks)
        and toks[k].text.isalpha()
        and toks[k].text.islower()
        and toks[k].norm not in PREPOSITIONS | DETERMINERS | AUXILIARIES
    )


def _capitalised(tok: Tok | None) -> bool:
    return tok is not None and tok.text[:1].isupper() and tok.text[1:2].islower()


def _event_name_part(
    toks: list[Tok],
    s: int,
    e: int,
    form: str,
    event_nouns: frozenset[str],
    verb_starts: Collection[int] = frozenset(),
) -> bool:
    """A verb inside a dotted or slashed name: an event or a path, not an action. A method
    call keeps its verb (`erp.post_invoice`, `slack.post(...)`): two segments, base form (a
    last segment in another form names a topic or a state: "`catalog.updates`"); so
    does a slashed pair of verbs of one form ("creates/updates the ticket"), where a topic
    joins a noun and a verb ("orders/paid", "customers/create")."""
    nxt = toks[e] if e < len(toks) else None
    if _verb_pair(toks, s, e, form, verb_starts):
        return False
    if (
        nxt is not None
        and not toks[e - 1].ws
        and not nxt.ws
        and nxt.text == "/"
        and e + 1 < len(toks)
        and toks[e + 1].text[:1].isalnum()
    ):
        return True  # "on shopify orders/paid": the first part of a topic or path
    if s < 2 or toks[s - 1].ws or toks[s - 2].ws or toks[s - 1].text not in (".", "/"):
        return False
    if not toks[s - 2].text[:1].isalnum():
        return False
    if nxt is not None and nxt.text == "(":
        return False
    return (
        form != "base"  # a method is named in its base form: "`catalog.updates`" is a name
        or toks[s - 1].text == "/"
        or (nxt is not None and not toks[e - 1].ws and nxt.text in (".", "/"))
        or (nxt is not None and nxt.norm in event_nouns)
    )


def _verb_pair(toks: list[Tok], s: int, e: int, form: str, verb_starts: Collection[int]) -> bool:
    if e + 1 < len(toks) and toks[e].text == "/" and not toks[e - 1].ws and not toks[e].ws:
        return e + 1 in verb_starts and verb_form(toks[e + 1].text) == form
    if s >= 2 and toks[s - 1].text == "/" and not toks[s - 1].ws and not toks[s - 2].ws:
        return s - 2 in verb_starts and verb_form(toks[s - 2].text) == form
    return False


def _names_an_action(toks: list[Tok], s: int, e: int, lead: int) -> bool:
    """'create_ticket: Jira', '- post_invoice', '`erp.post_invoice(...)`': an identifier that
    starts with a verb names an action when it is a key, a call or the clause's first word."""
    k = e
    while k + 1 < len(toks) and not toks[k - 1].ws and toks[k].text in ("_", ".", "-"):
        k += 2  # past "_ticket", ".post"
    after = toks[k] if k < len(toks) and not toks[k - 1].ws else None
    if after is not None and after.text in (":", "(", "`:"):
        return True
    if k < len(toks) and toks[k].text == ":":
        return True
    return s <= lead or (s > 0 and toks[s - 1].text in ("-", "*", "•"))
