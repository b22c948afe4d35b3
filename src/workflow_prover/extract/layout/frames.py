"""The clause frame: under which trigger or condition, who does what, to which system.

No parser is available (a blank spaCy pipeline has no tagger), so the frame is read off the
clause's words with the lexicons' verbs and services and a few closed word classes. It is
built once per clause (`TextView.frames`) and read by steps, scope and claims alike:

- `lead`: where the clause's content starts, after list markers, bullets, markup and
  connectives ("then", "and", "first", "finally");
- `adverbial`: a leading trigger ("on a Paddle `subscription.created` webhook", "when a form
  submission arrives", "as soon as the file lands") or condition ("if the query fails",
  "when Xero answers 429"), or a schedule ("every night", "at 02:00"), with its span;
- `actions`: the verbs used as verbs, in order, each with its phrase: from the verb to the
  next action (so "pull invoices from Chargebee and create them in Xero" has two), and how
  it is joined to the one before ("and", "or", ",");
- `roles`: each service's role in the clause: `trigger` (inside the adverbial), `subject`
  (before the first action), `target` (after to/into/in/on/at/against), `channel`
  (via/through/using/over/with), `source` (from/off/out of), `object` (right after a verb),
  or `bracket` (inside a parenthesis that is not the name of the service before it).

Every decision that is not a lexicon match is recorded as a named id in `via`, which the
trace command shows ("frame.adverbial.on_event", "frame.role.channel").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_prover.annotate.types import Mention, Tok
from workflow_prover.extract.layout.clauses import Clause, Layout
from workflow_prover.extract.layout.grammar import (
    ADVERBS,
    AUXILIARIES,
    BULLETS,
    CONNECTIVES,
    DETERMINERS,
    MARKUP,
    PHRASE_JOINERS,
    SKIP_LEFT,
    SUBJECT_PRONOUNS,
    once_adverb,
)
from workflow_prover.extract.layout.verbs import verb_form
from workflow_prover.extract.services.catalog import SvcMention
from workflow_prover.lexicon.words import WordClasses

__all__ = ["Action", "Adverbial", "Frame", "Role", "build_frame"]


_TRIGGER_PHRASES = (("as", "soon", "as"), ("every", "time"), ("each", "time"), ("in", "case"))
_CONDITION_WORDS = frozenset(("if", "unless"))


@dataclass(slots=True)
class Adverbial:
    start: int
    end: int
    kind: str  # trigger | condition | schedule | sequence
    rule: str


@dataclass(slots=True)
class Action:
    verb: Mention
    label: str  # READ | WRITE | TRANSFER | RECEIVE
    start: int  # the phrase: from the verb to the next action
    end: int
    joined: str | None  # how it follows the action before: "and", "or", ",", None


@dataclass(slots=True)
class Role:
    mention: SvcMention
    role: str  # trigger | subject | target | channel | source | object | bracket
    word: str = ""  # the preposition that decided it


@dataclass(slots=True)
class Frame:
    clause: int
    start: int  # after the lead
    end: int
    adverbial: Adverbial | None = None
    actions: list[Action] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    via: list[str] = field(default_factory=list)

    def role_of(self, mention: SvcMention) -> str | None:
        return next((r.role for r in self.roles if r.mention is mention), None)

    def in_phrase(self, action: Action) -> list[Role]:
        return [r for r in self.roles if action.start <= r.mention.start < action.end]


def build_frame(
    toks: list[Tok],
    lay: Layout,
    clause: Clause,
    verbs: list[Mention],
    services: list[SvcMention],
    words: WordClasses,
    failures: frozenset[int] | set[int] = frozenset(),
) -> Frame:
    """The frame of one clause. `verbs`: its verb mentions that act as verbs (in order);
    `services`: the services it names (in order); `words`: the lexicons' word classes."""
    start = _lead(toks, lay, clause)
    frame = Frame(clause.index, start, clause.end)
    named = {i for m in services for i in range(m.start, m.end)}
    frame.adverbial = _adverbial(toks, start, clause.end, verbs, frame.via, words, failures, named)
    main = frame.adverbial.end if frame.adverbial is not None else start
    acting = [v for v in verbs if v.start >= main]
    key_end = _key_end(toks, start, clause.end)
    if key_end is not None and any(v.start >= key_end for v in acting):
        # "notify: push a message via Braze": the key names the step, its value acts
        acting = [v for v in acting if v.start >= key_end]
        frame.via.append("frame.key_value")
    acting = _actions(toks, lay, acting, clause.end, frame.via, words)
    for n, verb in enumerate(acting):
        end = acting[n + 1].start if n + 1 < len(acting) else clause.end
        joined = _joined(toks, acting[n - 1].end, verb.start) if n else None
        label = "READ" if _asks_for_data(toks, verb, end, words) else verb.label
        frame.actions.append(Action(verb, label, verb.start, end, joined))
    first = frame.actions[0].start if frame.actions else clause.end
    for mention in services:
        role = _role(toks, lay, frame, mention, main, first, words)
        if role.role in ("object", "subject") and frame.roles:
            role = _listed_with(toks, frame.roles[-1], role)
        frame.roles.append(role)
    return frame


def _asks_for_data(toks: list[Tok], verb: Mention, end: int, words: WordClasses) -> bool:
    """'cron hits the square api for new catalog items': a generic call ('call', 'hit') whose
    phrase asks 'for' data of a kind (`FETCH_MODIFIER`: new, latest, changed) reads it."""
    if toks[verb.start].norm not in words.generic_call:
        return False
    return any(
        toks[k].norm == "for"
        and (
            toks[k + 1].norm in words.fetch_modifier
            or (
                toks[k + 1].norm in ("the", "any", "all")
                and toks[k + 2].norm in words.fetch_modifier
            )
        )
        for k in range(verb.end, min(end, len(toks) - 2))
    )


def _listed_with(toks: list[Tok], previous: Role, role: Role) -> Role:
    """'in github (org invite), notion (scim) and jira': a name listed after a target is a
    target too (the preposition is not repeated)."""
    if previous.role not in ("target", "channel", "source"):
        return role
    depth, words = 0, []
    for t in toks[previous.mention.end : role.mention.start]:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0:
            words.append(t.norm)
    if depth == 0 and 1 <= len(words) <= 2 and all(w in (",", "and", "or", "&") for w in words):
        return Role(role.mention, previous.role, previous.word)
    return role


def _actions(
    toks: list[Tok],
    lay: Layout,
    verbs: list[Mention],
    end: int,
    via: list[str],
    words: WordClasses,
) -> list[Mention]:
    """The verbs that act, not the nouns spelt like verbs: 'send alerts to Slack' has one
    action ('alerts' is its object: nothing joins the two), 'the temperature registers.' none
    (a plural at the end of its phrase)."""
    kept: list[Mention] = []
    verbs = _past_participles(toks, verbs, via)
    for verb in verbs:
        if kept and _method_call(toks, verb):
            # `limiter.schedule(() => intercom.contacts.upsert({...}))`: a call inside
            # another's arguments is an action of its own; a call handed a function only
            # runs it (the limiter schedules the upsert, it writes nothing itself)
            between = {t.norm for t in toks[kept[-1].end : verb.start]}
            if between & {"=>", "lambda", "function"} and _method_call(toks, kept[-1]):
                kept.pop()
            kept.append(verb)
            via.append("frame.verb.method_call")
            continue
        if kept and _calls_endpoint(toks, kept[-1], verb, words):
            kept[-1] = verb  # "calls `GET /api/v2/search.json` on Zendesk": the method acts
            via.append("frame.verb.http_method")
            continue
        nxt = toks[verb.end] if verb.end < end else None
        if (
            verb.end - verb.start == 1  # "looks up": a verb and its particle are no noun
            and verb_form(toks[verb.start].text) == "third"
            and (nxt is None or nxt.text in (".", ",", ";", ")", ":"))
        ):
            via.append("frame.verb.plural_noun")
            continue
        if (
            kept
            and verb_form(toks[kept[-1].start].text) != "ing"  # "the lambda reading ... sends"
            and not any(t.norm in PHRASE_JOINERS for t in toks[kept[-1].end : verb.start])
        ):
            via.append("frame.verb.object_of_previous")
            continue
        if _noun_compound(toks, verb.start, words):
            via.append("frame.verb.noun_compound")
            continue
        if _bracket_noun(toks, lay, verb):
            via.append("frame.verb.bracket_noun")
            continue
        if kept and _runs_statement(toks, kept[-1], verb, words):
            kept[-1] = verb  # `pg.query('INSERT INTO shipments ...')`: the statement acts
            via.append("frame.verb.sql_statement")
            continue
        if kept and lay.depth[verb.start] > lay.depth[kept[-1].start]:
            # "provision the user in github, notion (scim POST /Users) and jira": a call in
            # brackets says how the action before it is done; its phrase goes on
            via.append("frame.verb.bracket_remark")
            continue
        kept.append(verb)
    return kept


def _method_call(toks: list[Tok], verb: Mention) -> bool:
    """Is the verb the method of a call, `receiver.verb(` or `receiver.verbNoun(`?"""
    s = verb.start
    if s < 2 or toks[s - 1].text != "." or toks[s - 1].ws or toks[s - 2].ws:
        return False
    k = verb.end - 1
    while k + 1 < len(toks) and not toks[k].ws and toks[k + 1].text[:1].isalnum():
        k += 1  # "createShipment": the rest of the method's name
    return k + 1 < len(toks) and not toks[k].ws and toks[k + 1].text == "("


def _runs_statement(toks: list[Tok], runner: Mention, verb: Mention, words: WordClasses) -> bool:
    """Is `verb` the upper-case keyword opening the SQL string a `query(`/`execute(` call is
    given, right after its bracket and quote?"""
    if toks[runner.start].norm not in words.sql_runner or not toks[verb.start].text.isupper():
        return False
    return statement_runner(toks, verb.start) == runner.end - 1


def _calls_endpoint(toks: list[Tok], caller: Mention, verb: Mention, words: WordClasses) -> bool:
    """Is `verb` the upper-case HTTP method of the endpoint a verb that names no action of its
    own calls ('we call Zendesk (GET /api/v2/tickets)', 'hits `POST /v1/leads`')? Then the
    method says whether the call reads or writes."""
    if toks[caller.start].norm not in words.generic_call or verb.start - caller.end > 6:
        return False
    method = toks[verb.start].text
    after = toks[verb.end].text if verb.end < len(toks) else ""
    return method.isupper() and len(method) > 2 and after.startswith(("/", "http"))


def statement_runner(toks: list[Tok], verb: int) -> int | None:
    """The token right before the `(` (and quote) a SQL keyword at `verb` follows: `query`
    in `pg.query('INSERT ...')`; None when no bracket opens right before it."""
    k = verb - 1
    if k >= 0 and toks[k].text in ("'", '"', "`"):
        k -= 1
    return k - 1 if k >= 1 and toks[k].text == "(" else None


def _bracket_noun(toks: list[Tok], lay: Layout, verb: Mention) -> bool:
    """'github (org invite)': inside brackets a verb-shaped word after a noun is a noun; an
    action there opens the note ('(list open PRs)') or is an HTTP call ('(scim POST /Users)')."""
    s = verb.start
    if s == 0 or lay.depth[s] == 0:
        return False
    prev = toks[s - 1]
    if prev.text in ("(", ",", ";", ":", "[") or not prev.text[:1].isalpha():
        return False
    if toks[s].text.isupper() and verb.end < len(toks) and toks[verb.end].text[:1] in "/{":
        return False
    return prev.norm not in PHRASE_JOINERS and prev.norm not in SUBJECT_PRONOUNS


def _past_participles(toks: list[Tok], verbs: list[Mention], via: list[str]) -> list[Mention]:
    """'Requests submitted on the webform arrive on our queue': a participle after a noun
    describes the subject; the finite verb after it is what happens."""
    out: list[Mention] = []
    for n, verb in enumerate(verbs):
        k = verb.start - 1
        while k > 0 and toks[k].norm in ADVERBS:
            k -= 1  # "each order is also POSTed to ...": the auxiliary before the adverb
        prev = toks[k] if k >= 0 else None
        participle = (
            verb_form(toks[verb.start].text) == "past"
            and prev is not None
            and prev.text.isalpha()
            and prev.norm not in SUBJECT_PRONOUNS
            and prev.norm not in AUXILIARIES
            and prev.norm not in DETERMINERS
            and prev.norm not in PHRASE_JOINERS
        )
        later = any(verb_form(toks[v.start].text) in ("base", "third") for v in verbs[n + 1 :])
        if participle and later:
            via.append("frame.verb.participle")
            continue
        out.append(verb)
    return out


def _key_end(toks: list[Tok], start: int, end: int) -> int | None:
    """After 'enrich:', 'create_case:', '**trigger**:' at the clause start: where the value
    of a `key: value` line begins (the key has at most three words and no space-separated
    sentence in it)."""
    for k in range(start, min(start + 6, end)):
        if toks[k].text == ":" and k > start:
            return k + 1
        if toks[k].norm in ("we", "the", "a", "an", "our", "i", "they"):
            return None
    return None


def _noun_compound(toks: list[Tok], i: int, words: WordClasses) -> bool:
    """'the bell schedule', 'our lead sync': a determiner, a noun, then a base-form word
    (a third-person form there is the noun's verb: 'a channel creates a record')."""
    if i < 2 or verb_form(toks[i].text) != "base":
        return False
    before, det = toks[i - 1], toks[i - 2]
    if _before_system_head(toks, i, words.system_head):
        return True
    return (
        before.ws != "\n"  # "load each row\nINSERT INTO ...": the next line is a statement
        and before.text.isalpha()
        and before.norm not in AUXILIARIES
        and before.norm not in SUBJECT_PRONOUNS
        and before.norm not in PHRASE_JOINERS
        and (det.norm in DETERMINERS or det.norm in ("'s", "’s"))
        and det.norm not in ("that", "which")
        and not (i >= 3 and toks[i - 3].norm == "for")  # "for each customer enqueue a job"
        and before.norm not in words.schedule_unit  # "every night pull closed tickets"
    )


def _before_system_head(toks: list[Tok], i: int, heads: frozenset[str]) -> bool:
    """'Adyen settlement report API', 'the nightly sync job': between a noun and the head
    noun of a system, a base-form word is a noun of the compound."""
    before = toks[i - 1]
    return (
        i + 1 < len(toks)
        and toks[i + 1].norm in heads
        and not toks[i].ws.strip(" ")  # same line
        and before.text.isalpha()
        and before.ws == " "
        and before.norm not in AUXILIARIES
        and before.norm not in SUBJECT_PRONOUNS
        and before.norm not in PHRASE_JOINERS
        and before.norm not in DETERMINERS
        and before.norm not in CONNECTIVES
    )


def _lead(toks: list[Tok], lay: Layout, clause: Clause) -> int:
    """First token of the clause's content: past markers, bullets, markup, connectives."""
    i = clause.start
    if clause.item is not None:
        body = lay.items[clause.item].body
        if lay.items[clause.item].start == clause.start:
            i = max(i, body)
    while i < clause.end and (
        toks[i].text in BULLETS
        or toks[i].text in MARKUP
        or toks[i].text in ("#", ">", "|", ",", ":", ";")
        or toks[i].norm in CONNECTIVES
    ):
        i += 1
    return min(i, clause.end)


def _adverbial(
    toks: list[Tok],
    start: int,
    end: int,
    verbs: list[Mention],
    via: list[str],
    words: WordClasses,
    failures: frozenset[int] | set[int] = frozenset(),
    named: frozenset[int] | set[int] = frozenset(),
) -> Adverbial | None:
    if start >= end:
        return None
    norm = toks[start].norm
    opening = tuple(t.norm for t in toks[start : start + 3])
    phrase = next((p for p in _TRIGGER_PHRASES if opening[: len(p)] == p), None)
    if norm in words.adverbial_opener or phrase is not None:
        if once_adverb(toks, start, words.once_not_trigger):
            return None  # "once a day": a schedule word, handled below
        body = start + (len(phrase) if phrase else 1)
        # "after the third failure the worker pages ...": no verb of its own, unless the
        # clause is only the adverbial ("After a deal closes in Pipedrive, we ...")
        phrasal = norm in ("after", "upon") and toks[end - 1].text not in (",", ";")
        stop = _adverbial_end(toks, body, end, verbs, words.adverbial_verb, phrasal=phrasal)
        conditional = norm in _CONDITION_WORDS or (phrase is not None and phrase[0] == "in")
        if any(t.norm in words.state_word for t in toks[body:stop]):
            conditional = True  # "when the id is already in the table": a state, no event
        if any(i in failures for i in range(body, stop)) and not any(
            body <= i < stop for i in named
        ):
            conditional = True  # "after the third failure": no system sends an event
        kind = "condition" if conditional else "trigger"
        gerund = norm in ("after", "before") and _gerund(toks, body, verbs)
        if gerund and body + 1 < end and toks[body + 1].text not in (",", ";", ":", "."):
            # "before charging the card in Stripe, we ...": the flow's own action with its
            # object, read as a clause of its own (an action, not an event)
            via.append("frame.adverbial.gerund_action")
            return None
        if norm in ("after", "before") and (gerund or _only_names(toks, body, stop, named)):
            # "after Klaviyo, send an SMS", "before sending, ...": an order of the flow's own
            # steps (an action named again without its object), no event
            kind = "sequence"
        elif norm == "before":
            kind = "condition"  # "before the customer pays": a time, nothing is received
        via.append(f"frame.adverbial.{norm if phrase is None else '_'.join(phrase)}")
        return Adverbial(start, stop, kind, via[-1])
    if norm in ("on", "upon") and start + 1 < end and toks[start + 1].text[:1].isalnum():
        event_end = _on_event_end(toks, start + 1, end, verbs, words.on_event_noun)
        if event_end is not None:
            via.append("frame.adverbial.on_event")
            return Adverbial(start, event_end, "trigger", via[-1])
    if norm in words.schedule_starter:
        schedule_end = _schedule_end(toks, start, end, words)
        if schedule_end is not None:
            via.append("frame.adverbial.schedule")
            return Adverbial(start, schedule_end, "schedule", via[-1])
    return None


def _gerund(toks: list[Tok], body: int, verbs: list[Mention]) -> bool:
    """Does the adverbial's phrase open with a verb in -ing ('before sending', 'after
    creating the invoice', 'before executing the `Order.create()` call': a verb no lexicon
    lists, by its object)?"""
    if verb_form(toks[body].text) != "ing" or not toks[body].text.isalpha():
        return False
    after = toks[body + 1] if body + 1 < len(toks) else None
    return any(v.start == body for v in verbs) or (
        after is not None and (after.norm in DETERMINERS or after.text == "`")
    )


def _only_names(toks: list[Tok], body: int, stop: int, named: frozenset[int] | set[int]) -> bool:
    """Is the phrase a service's name and nothing else ('after Klaviyo', 'before the HubSpot
    step')? Then 'after' orders the steps; 'after Stripe confirms the payment' is an event."""
    words = [k for k in range(body, stop) if toks[k].norm not in DETERMINERS]
    rest = [k for k in words if k not in named]
    return (
        bool(words)
        and len(rest) < len(words)
        and all(toks[k].norm in ("step", "call", "one", "write") for k in rest)
    )


def _adverbial_end(
    toks: list[Tok],
    body: int,
    end: int,
    verbs: list[Mention],
    finite: frozenset[str],
    phrasal: bool = False,
) -> int:
    """Where 'when/if ...' ends: a comma, 'then', a subject pronoun after the adverbial's
    own verb, or the start of a main clause (a determiner or name followed by a verb).
    `phrasal`: 'after the third failure the worker pages ...' has no verb of its own, so
    its first verb is the main clause's."""
    own_verb = phrasal
    starts = {v.start for v in verbs}
    for k in range(body, end):
        tok = toks[k]
        if tok.text in (",", ";", ":") or tok.norm == "then":
            return k
        if k > body and tok.norm in ("we", "i", "they", "you") and (own_verb or k > body + 1):
            return k
        if k in starts:
            main = (
                own_verb
                and k > body + 1
                and toks[k - 1].norm not in ("and", "or", "to")
                and toks[k - 1].norm not in AUXILIARIES
                and verb_form(toks[k].text) in ("base", "third")
            )
            if main:
                return _subject_start(toks, body, k)
            own_verb = True
        elif k > body and (tok.norm in finite or tok.text in _COMPARISONS):
            own_verb = True  # an unlisted verb ('lands', 'arrives') or a comparison ('> 8°C')
    return end


_COMPARISONS = frozenset((">", "<", ">=", "<=", "=", "==", "!=", "≥", "≤", "≠"))


def _subject_start(toks: list[Tok], lo: int, verb: int) -> int:
    """The start of the subject of the verb at `verb` (a short noun phrase before it)."""
    k = verb
    while k - 1 > lo and verb - k < 4 and toks[k - 1].text[:1].isalnum():
        if toks[k - 1].norm in DETERMINERS:
            return k - 1
        k -= 1
    return k


def _on_event_end(
    toks: list[Tok], body: int, end: int, verbs: list[Mention], events: frozenset[str]
) -> int | None:
    """'on a Paddle `subscription.created` webhook we ...': up to the event noun, or to a
    subject pronoun or comma; None when the words after 'on' are no event."""
    starts = {v.start for v in verbs}
    for k in range(body, min(end, body + 12)):
        tok = toks[k]
        if tok.text in (",", ";", ":") or tok.norm in ("we", "i", "they", "you"):
            return k if k > body + 1 else None
        if tok.norm in events:
            while k + 1 < end and toks[k + 1].norm in events:
                k += 1  # "on an okta ... event hook"
            return k + 1
        if k in starts and k > body:
            return None
    return None


def _schedule_end(toks: list[Tok], start: int, end: int, words: WordClasses) -> int | None:
    """'every night', 'nightly', 'at 02:00 UTC', 'every 15 minutes': a schedule phrase."""
    norm = toks[start].norm
    if norm in words.schedule_adverb:
        k = start + 1
    elif norm in ("every", "each"):
        k = start + 1
        while k < end and (toks[k].text[:1].isdigit() or toks[k].norm in ("other", "few")):
            k += 1
        if k >= end or toks[k].norm not in words.schedule_unit:
            return None
        k += 1
    elif norm == "at" and start + 1 < end and toks[start + 1].text[:1].isdigit():
        k = start + 2
    elif norm == "cron":
        k = start + 1
    else:
        return None
    while k < end and toks[k].text in (",", ":"):
        k += 1
    return k


def _joined(toks: list[Tok], lo: int, hi: int) -> str | None:
    between = [t.norm for t in toks[lo:hi]]
    for word in ("or", "and", ","):
        if word in between:
            return word
    return None


def _role(
    toks: list[Tok],
    lay: Layout,
    frame: Frame,
    m: SvcMention,
    main: int,
    first: int,
    words: WordClasses,
) -> Role:
    adverbial = frame.adverbial
    if adverbial is not None and adverbial.start <= m.start < adverbial.end:
        return Role(m, "trigger")
    if lay.depth[m.start] > lay.depth[frame.start] and not _shares_bracket(toks, lay, m, frame):
        owner = _bracket_owner(toks, lay, m, frame)
        if owner is not None:
            # "our users database (Postgres on RDS)": the bracket says what the system is
            return Role(m, owner.role, owner.word)
        held = _table_holder(toks, lay, m, frame, words)
        if held is not None:
            return held  # "INSERT INTO partners (pg)": the system that holds the table
        return Role(m, "bracket")
    if _called_as_api(toks, m, first):
        return Role(m, "target", ".")  # `mender.create_deployment`, `stripe.charges.create`
    if _keyed_system(toks, m, frame.start, words.system_key | words.receive_key):
        key = toks[m.start - 2].norm  # "{db: postgres, query: ...}", "source: Adyen API"
        # "Trigger: HubSpot Trigger (...)": where the run's event comes from
        sourced = key in words.source_key or key in words.receive_key
        return Role(m, "source" if sourced else "target", key)
    word = _introduced_by(toks, m, frame.start, words)
    if word in words.target_word:
        return Role(m, "target", word)
    if word in words.channel_word:
        return Role(m, "channel", word)
    if word in words.source_word:
        return Role(m, "source", word)
    if m.start < first:
        return Role(m, "subject")
    reads = any(a.label == "READ" for a in frame.actions if a.start <= m.start < a.end)
    if not reads and _makes_value(toks, m, words):  # ("fetch the invoices Xero returns")
        return Role(m, "producer", toks[m.end].norm)
    return Role(m, "object")


def _makes_value(toks: list[Tok], m: SvcMention, words: WordClasses) -> bool:
    """'store the `MessageSid` Twilio returns', 'the id that Jira assigns': a system after
    the object, right before a verb that makes a value, is the maker of what is stored."""
    if m.end >= len(toks) or toks[m.end].norm not in words.return_verb or m.start == 0:
        return False
    before = toks[m.start - 1]
    return before.norm in ("that", "which") or before.text == "`" or before.text[:1].isalnum()


def _keyed_system(toks: list[Tok], m: SvcMention, start: int, keys: frozenset[str]) -> bool:
    """A service given as the value of a key that names the system a step acts on:
    '{db: postgres, query: ...}', 'target=salesforce'."""
    return (
        m.start - 2 >= start
        and toks[m.start - 1].text in (":", "=")
        and toks[m.start - 2].norm in keys
    )


def _shares_bracket(toks: list[Tok], lay: Layout, m: SvcMention, frame: Frame) -> bool:
    """Is there an action in the same bracket as the mention? Then the bracket is no aside
    but the node's own description: 'HTTP Request (fetch stories from the AP Media API)'."""
    depth = lay.depth[m.start]
    lo = m.start
    while lo > frame.start and not (toks[lo - 1].text == "(" and lay.depth[lo - 1] < depth):
        lo -= 1
    hi = m.end
    while hi < frame.end and lay.depth[hi] >= depth:
        hi += 1
    outside = [a for a in frame.actions if not lo <= a.start < hi]
    if any(lay.depth[a.start] <= lay.depth[frame.start] for a in outside):
        return False  # the clause acts outside the bracket: the bracket is an aside
    return any(lo <= a.start < hi for a in frame.actions)


def _called_as_api(toks: list[Tok], m: SvcMention, first: int) -> bool:
    """A service written as the object of a method call: `slack.post`, `erp.post_invoice`."""
    if m.end >= len(toks) or toks[m.end].text != "." or toks[m.end - 1].ws or toks[m.end].ws:
        return False
    return m.end < first <= m.end + 3


def _introduced_by(
    toks: list[Tok], m: SvcMention, lo: int, words: WordClasses, reach: int = 4
) -> str:
    """The preposition that introduces a mention ('into our Postgres', 'via the Notify API')."""
    k = m.start - 1
    while k >= lo and m.start - k <= reach:
        norm = toks[k].norm
        if norm in words.target_word or norm in words.channel_word or norm in words.source_word:
            return norm
        if norm in SKIP_LEFT or (toks[k].text[:1].isupper() and norm not in SUBJECT_PRONOUNS):
            k -= 1
            continue
        if toks[k].text[:1].isalpha() and toks[k].text.islower() and m.start - k <= 2:
            k -= 1  # "to the shopify admin api": one modifier word
            continue
        return ""
    return ""


def _table_holder(
    toks: list[Tok], lay: Layout, m: SvcMention, frame: Frame, words: WordClasses
) -> Role | None:
    """A bracket that is all one service right after a data object a preposition introduces
    ('INSERT INTO partners (pg)', 'read from `orders` (Postgres)'): the bracket names the
    system that holds the object, which the preposition makes a target or a source. The
    service may open a bracket that goes on after a comma ('in the `archive` table (pg,
    `INSERT ... ON CONFLICT ...`)')."""
    open_at = m.start - 1
    if toks[open_at].text != "(" or m.end >= len(toks) or toks[m.end].text not in (")", ","):
        return None
    k = open_at - 1
    while k >= frame.start and open_at - k <= 10 and lay.depth[k] < lay.depth[m.start]:
        norm = toks[k].norm
        if norm in words.target_word:
            return Role(m, "target", norm)
        if norm in words.source_word:
            return Role(m, "source", norm)
        if not (toks[k].text[:1].isalnum() or toks[k].text in ("`", "_")):
            return None
        k -= 1
    return None


def _bracket_owner(toks: list[Tok], lay: Layout, m: SvcMention, frame: Frame) -> Role | None:
    """The role of the service a bracket follows, when the bracket names what it is: 'our
    ledger database (Postgres)', 'the SIS replica (Cloud SQL MySQL)', '(Postgres on RDS)'."""
    depth = lay.depth[m.start]
    k = m.start - 1
    while k > frame.start and not (toks[k].text == "(" and lay.depth[k] < depth):
        if not (toks[k].text[:1].isalnum() or toks[k].text in ("`", '"', "-", "/")):
            return None  # "(we dedupe on ...; key stored in Redis)": an aside
        k -= 1
    return next(
        (
            r
            for r in reversed(frame.roles)
            if k - 2 <= r.mention.end <= k
            and all(t.text[:1].isalnum() for t in toks[r.mention.end : k])
        ),
        None,
    )
