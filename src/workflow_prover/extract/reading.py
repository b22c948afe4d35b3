"""One analysed text with the indices the step and claim extractors share."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_prover.annotate.types import Annotation, Group, Mention, Tok, longest_first
from workflow_prover.extract.claims.modality import ConText, Reading
from workflow_prover.extract.layout.blocks import SectionRoles, read_blocks
from workflow_prover.extract.layout.clauses import Clause, Layout, layout
from workflow_prover.extract.layout.frames import Frame, build_frame
from workflow_prover.extract.layout.grammar import (
    BULLETS,
    MARKUP,
    PREPOSITIONS,
    STORE_PREPOSITIONS,
)
from workflow_prover.extract.layout.verbs import is_verbal
from workflow_prover.extract.services.found import (
    ServiceCatalog,
    ServiceInfo,
    SvcMention,
    attributive,
    find_services,
    preceded_by,
)
from workflow_prover.extract.verb_uses import not_an_action
from workflow_prover.lexicon.words import WordClasses

_HOST_ROLES = frozenset(("datastore",))
_DEDUPE = frozenset(("idempotency", "idempotency_store", "unstable_key"))


@dataclass
class TextView:
    ann: Annotation
    lay: Layout
    services: list[SvcMention]
    vendors: frozenset[str] = frozenset()
    ctx: ConText = field(init=False)  # built once the claim cues are known
    catalog: ServiceCatalog = field(init=False)  # lexicon facts and word classes
    cues: list[Mention] = field(default_factory=list)  # claim cues whose requirements hold
    verb_starts: frozenset[int] = frozenset()
    acted_toks: set[int] = field(default_factory=set)  # services a verb could act on (no runtimes)
    aliases: dict[str, ServiceInfo] = field(default_factory=dict)  # for the next turn
    by_clause: dict[str, dict[int, list[Mention]]] = field(default_factory=dict)
    svc_by_clause: dict[int, list[SvcMention]] = field(default_factory=dict)
    terms_at: dict[str, set[int]] = field(default_factory=dict)
    service_toks: set[int] = field(default_factory=set)
    _readings: dict[tuple[int, int, str], Reading] = field(default_factory=dict)
    _frames: dict[int, Frame] = field(default_factory=dict)
    _verbal: dict[tuple[int, int, str], bool] = field(default_factory=dict)
    _hosts: dict[tuple[int, int, str], bool] = field(default_factory=dict)
    subjects: dict[int, tuple[str, frozenset[str]] | None] = field(default_factory=dict)
    _message_words: frozenset[int] | None = None  # `message_text`, found on first use

    @property
    def toks(self) -> list[Tok]:
        return self.ann.toks

    def clause(self, index: int) -> Clause:
        return self.lay.clauses[index]

    def mentions(self, group: str, clause: int) -> list[Mention]:
        return self.by_clause.get(group, {}).get(clause, [])

    def verbs_after_before(self, lo: int, hi: int) -> list[Mention]:
        """The verbs within two tokens after a 'before' in tokens lo..hi ('before posting',
        'before calling Twilio'): the actions a dedupe guard runs ahead of."""
        toks = self.toks
        marks = [k for k in range(lo, hi) if toks[k].norm == "before"]
        if not marks:
            return []
        at = {
            v.start: v
            for c in range(self.lay.clause_of[lo], self.lay.clause_of[hi - 1] + 1)
            for v in self.mentions("verb", c)
        }
        return [at[j] for k in marks for j in range(k + 1, min(k + 3, hi)) if j in at]

    def clause_services(self, clause: int) -> list[SvcMention]:
        return self.svc_by_clause.get(clause, [])

    def has_term(self, label: str, start: int, end: int) -> bool:
        at = self.terms_at.get(label, set())
        return any(i in at for i in range(start, end))

    def term_starts(self, label: str) -> set[int]:
        return self.terms_at.get(label, set())

    def read(self, m: Mention) -> Reading:
        key = (m.start, m.end, m.rule)
        if key not in self._readings:
            self._readings[key] = self.ctx.read(m)
        return self._readings[key]

    def in_design(self, m: Mention) -> bool:
        """Whether an action's words are part of the design: asserted, or planned only by an
        intent ("we want to create the lead in Close" is the flow being designed)."""
        reading = self.read(m)
        if reading.modality == "planned":
            return all(c.effect == "intent" for c in reading.cues)
        return reading.modality == "asserted"

    def frame(self, clause: int) -> Frame:
        """The clause's frame (`layout.frames`), built on first use and kept."""
        frame = self._frames.get(clause)
        if frame is None:
            c = self.clause(clause)
            verbs = [v for v in self.mentions("verb", clause) if self.verbal(v)]
            verbs = [v for v in verbs if v.start >= _header_end(self.toks, c, self.catalog.words)]
            frame = build_frame(
                self.toks,
                self.lay,
                c,
                verbs,
                self.clause_services(clause),
                self.catalog.words,
                self.term_starts("FAILURE_WORD"),
            )
            self._frames[clause] = frame
        return frame

    def text(self, start: int, end: int) -> str:
        toks = self.toks
        return self.ann.text[toks[start].start : toks[end - 1].end]

    def verbal(self, verb: Mention) -> bool:
        """Does this verb-shaped word act as a verb here (`is_verbal`)? Kept per mention."""
        key = (verb.start, verb.end, verb.rule)
        known = self._verbal.get(key)
        if known is None:
            known = self._verbal[key] = self._is_verbal(verb)
        return known

    def _is_verbal(self, verb: Mention) -> bool:
        if verb.end in self.term_starts("ID_NOUN") or verb.end in self.term_starts(
            "CREDENTIAL_NOUN"
        ):
            return False  # "by invoice ID", "the post ID": a noun qualifying an identifier
        if self.message_text(verb.start):
            return False  # 'post to #sales: "N leads synced to Airtable"': the message's words
        if not_an_action(self, verb):
            return False  # a setting, a key carried, code built, a credential made (verb_uses)
        clause = self.clause(self.lay.clause_of[verb.start])
        return is_verbal(
            verb,
            self.toks,
            self.catalog.words,
            self.acted_toks,
            clause.start,
            clause.item is not None,
            self.verb_starts,
        )

    def message_text(self, i: int) -> bool:
        """Is token i inside double quotes that follow a chat, email or SMS service in its
        sentence ('Post to the Slack channel: "N new leads synced to Airtable"')? Those are
        the words of the message sent, not actions of the workflow."""
        if self._message_words is None:
            self._message_words = self._quoted_messages()
        return i in self._message_words

    def _quoted_messages(self) -> frozenset[int]:
        """The tokens of every such quote, found in one pass over the text."""
        toks = self.toks
        first: dict[int, int] = {}  # sentence -> where its first message service ends
        for m in self.services:
            if m.info.category in self.catalog.message_categories:
                sentence = self.lay.sentence_of[m.start]
                first[sentence] = min(m.end, first.get(sentence, m.end))
        out: set[int] = set()
        for sentence, (lo, hi) in enumerate(self.lay.sentences):
            if sentence not in first:
                continue
            opened: int | None = None
            for k in range(lo, hi):
                if opened is not None and first[sentence] <= opened:
                    out.add(k)
                t = toks[k].text
                if t == "“" or (t == '"' and opened is None):
                    opened = k
                elif t in ("”", '"'):
                    opened = None
        return frozenset(out)

    def is_attributive(self, m: SvcMention) -> bool:
        """'the Shopify order ID', 'the Twilio token': the service qualifies a noun."""
        return attributive(
            m,
            self.toks,
            self.term_starts("ID_NOUN")
            | self.term_starts("CREDENTIAL_NOUN")
            | self.term_starts("SCHEDULER"),
        )

    def names_an_id(self, m: SvcMention) -> bool:
        """'the Shopify order ID': named only to say where an identifier comes from ('each
        Jira issue key', where the name's last word starts the identifier, too)."""
        ids = self.term_starts("ID_NOUN")
        if any(i in ids for i in range(m.start + 1, m.end)):
            return True
        return attributive(m, self.toks, ids) and not self._acts_before_id(m, ids)

    def _acts_before_id(self, m: SvcMention, ids: frozenset[int] | set[int]) -> bool:
        """'The OneSignal push uses household ID ...': a verb that acts ends the noun phrase
        the name qualifies, so the identifier after it is not the name's."""
        clause = self.lay.clause_of[m.start]
        verbs = {v.start: v for v in self.mentions("verb", clause)}
        words = self.catalog.words
        for k in range(m.end, min(m.end + 5, len(self.toks))):
            if k in ids:
                return False
            verb = verbs.get(k)
            norm = self.toks[k].norm
            if (verb is not None and self.verbal(verb)) or (
                k > m.end and (norm in words.statement_verb or norm in words.have_verb)
            ):
                return True
        return False

    def _guarded_by(self, m: SvcMention, clause: int) -> bool:
        """A store named after a de-duplication cue of its clause, as where the keys are
        kept ('deduped on msg_id in a Postgres table'): a mechanism part, not a step. The
        write verb that is itself the mechanism ('upsert into Postgres') guards nothing."""
        verb_mentions = self.mentions("verb", clause)
        verbs = {v.start for v in verb_mentions}
        writes = [v.start for v in verb_mentions if v.label == "WRITE"]
        toks = self.toks
        introduced = (m.start > 0 and toks[m.start - 1].norm in STORE_PREPOSITIONS) or (
            m.start > 1
            and toks[m.start - 1].norm in ("a", "an", "the", "our", "its")
            and toks[m.start - 2].norm in STORE_PREPOSITIONS
        )
        depth = self.lay.depth
        bracket = _bracket_span(toks, depth, m.start)
        return any(
            c.label in _DEDUPE
            and c.start not in verbs
            and not c.store_constraint  # "it is the primary key in Spanner": Spanner's own
            and not self._own_statement(c, writes)
            and (
                (c.end <= m.start and (introduced or depth[m.start] > depth[c.start]))
                or (
                    bracket is not None
                    and bracket[0] <= c.start < bracket[1]
                    and not any(m.end <= v < c.start for v in writes)
                )
            )
            for c in self.mentions("cue", clause)
        )  # or in brackets after it ('dedupe on the event id (pg processed_events, unique)'),
        # or in the same bracket ('(webhook event id recorded in redis, skip if seen)'), but
        # not the write's own statement there ('(pg, `INSERT ... ON CONFLICT DO NOTHING`)')

    def _own_statement(self, cue: Mention, writes: list[int]) -> bool:
        """Is the cue part of the write's own statement in code ('`INSERT INTO close_runs
        (...) ON CONFLICT DO NOTHING` on the pg primary'): a conditional write, no guard?"""
        code = self.lay.code
        if not code or not code[cue.start]:
            return False
        return any(w < cue.start and all(code[k] for k in range(w, cue.start)) for w in writes)

    def guards_before(self, clause: int) -> bool:
        """Does the clause dedupe (an idempotency cue) ahead of another action ('before
        posting', 'before calling Twilio')? What it writes is the guard's store."""
        if not any(c.label in _DEDUPE for c in self.mentions("cue", clause)):
            return False
        c = self.clause(clause)
        lo = self.lay.sentences[c.sentence][0]  # "before posting, the job inserts ..."
        return bool(self.verbs_after_before(lo, c.end))

    def _has_it(self, m: SvcMention, cue: Mention) -> bool:
        """'Stripe -> HubSpot with no DLQ', 'HubSpot (no DLQ)': an API said to have (or lack)
        the mechanism, after 'with' or in a bracket right after it, is the service acted on,
        not where the mechanism lives; a datastore too, after 'with' ('insert into ledger-db
        w/ idempotency key')."""
        if m.end >= cue.start:
            return False
        after = self.toks[m.end]
        if after.norm in ("with", "without", "w/", "w/o"):
            return True  # "insert each into ledger-db w/ idempotency key": the write's key
        if m.info.role != "api":
            return False
        words = self.catalog.words
        k = m.end + (after.norm in words.step_noun)
        if k < cue.start and self.toks[k].norm in words.have_verb:
            return True  # "Only the Pipedrive step has a DLQ", "Robin calls get a DLQ too"
        span = _bracket_span(self.toks, self.lay.depth, cue.start)
        return after.text == "(" and span is not None and span[0] == m.end + 1

    def can_host(self, m: SvcMention) -> bool:
        """Can the system keep a mechanism's work (a database, a bucket, a log store)?"""
        return m.info.role in _HOST_ROLES or m.info.category in self.catalog.host_categories

    def _failure_store(self, m: SvcMention, clause: int) -> bool:
        """Is the mention where failed work is routed in its clause: a failure word, a route
        verb after it, then the store ('failed records are written to S3')? A store said to
        be *for* something ('for the Stripe calls') is not."""
        if not self.can_host(m):
            return False
        c = self.lay.clauses[clause]
        failures = self.term_starts("FAILURE_WORD")
        fail = next((k for k in range(c.start, m.start) if k in failures), None)
        if fail is None:
            return False
        routes = self.catalog.words.route_verb
        if not any(self.toks[k].norm in routes for k in range(fail + 1, m.start)):
            return False
        return not preceded_by(m, self.toks, frozenset(("for", "from", "of")), reach=2)

    def _served_by(self, m: SvcMention) -> bool:
        """Is `m` the system a mechanism serves: right before its action and a failure word
        ("Postgres insert failures go to a failed_responses table"), or after 'for' where its
        phrase ends or names its calls ('for Klaviyo, to klaviyo_dlq', 'a dead-letter queue
        for the Attio calls')?"""
        toks = self.toks
        if m.end in self.verb_starts and m.end + 1 in self.term_starts("FAILURE_WORD"):
            return True
        k = m.start - 1
        if k > 0 and toks[k].norm in ("the", "its", "our", "their", "all"):
            k -= 1
        if k < 0 or toks[k].norm != "for" or m.end >= len(toks):
            return False
        after = toks[m.end]
        return after.text in (",", ":") or after.norm in self.catalog.words.step_noun

    def is_host(self, m: SvcMention) -> bool:
        """Does this mention name where a mechanism lives (the DLQ's queue, the dedupe store)?
        Kept per mention: steps, scope, claims and the graph all ask."""
        key = (m.start, m.end, m.info.name)
        known = self._hosts.get(key)
        if known is None:
            known = self._hosts[key] = self._is_host(m)
        return known

    def _is_host(self, m: SvcMention) -> bool:
        clause = self.lay.clause_of[m.start]
        # a cue in a bracket after it is a remark of its own: "reads ddb stream records
        # (on-failure destination sends failed batches to an sqs queue)" reads the stream
        depth = self.lay.depth
        cues = [
            c
            for c in self.mentions("cue", clause)
            if depth[c.start] <= depth[m.start] or c.start < m.start
        ]
        if m.info.role in _HOST_ROLES and m.end in self.term_starts("MECHANISM_HEAD") and cues:
            return True  # "skipping matches already in the awarded_matches Redis set"
        if m.info.role in _HOST_ROLES and self._guarded_by(m, clause):
            return True  # "PATCH the contact, deduped on (id, version) in redis"
        if m.info.role in _HOST_ROLES and self.guards_before(clause):
            return True  # "before posting, the job inserts the hour into a table in Postgres
            # with a unique constraint": the dedupe guard of the post, not a step
        if self._failure_store(m, clause):
            return True  # "a record that gives up is written to a gcs bucket": where failed
            # work is kept, not a step, and not what the terminal path is for
        if m.info.rule == "generic.dotted_call" and any(
            c.label == "terminal_path" and c.start > m.end for c in self.mentions("cue", clause)
        ):
            return True  # "producer.send({ topic: 'orders.v1.DLT' })": the client of the DLQ
        parts = [c for c in cues if c.mechanism_part or c.label == "alerting"]
        if not parts:
            return False
        if m.info.category in self.catalog.alert_categories and any(
            c.label == "alerting" for c in parts
        ):
            return True  # "finance ops get a Slack ping": where alerts go, not a step
        if self._served_by(m):
            return False  # "for Klaviyo, to klaviyo_dlq": what the store is for, not its host
        if any(
            (abs(c.start - m.end) <= 3 and not self._has_it(m, c)) or abs(m.start - c.end) <= 3
            for c in parts
            if c.mechanism_part and (c.label != "idempotency_store" or m.info.role in _HOST_ROLES)
        ):  # a dedupe table lives in a database: 'via Postmark (sent_welcomes table)' sends
            return True
        if not self.can_host(m):
            return False
        if any(c.mechanism_part and self._has_it(m, c) for c in parts):
            return False  # "insert each into ledger-db w/ idempotency key": the write's own
        # where the mechanism lives ("kept in Redis", "SQS redrives it to a DLQ"), unless the
        # statement is *for* that store ("no DLQ for the Postgres writes"); "left for SQS to
        # move to the DLQ" makes SQS the agent of an infinitive, the host still
        nxt = m.end
        agent = nxt < len(self.toks) and self.toks[nxt].norm == "to"
        purpose = preceded_by(m, self.toks, frozenset(("for",)), reach=2) and not agent
        return not purpose and not (nxt < len(self.toks) and nxt in self.term_starts("STEP_REF"))


def _bracket_span(toks: list[Tok], depth: list[int], i: int) -> tuple[int, int] | None:
    """The tokens of the innermost bracket holding token i, or None at depth 0."""
    level = depth[i]
    if level == 0:
        return None
    lo = i
    while lo > 0 and depth[lo - 1] >= level:
        lo -= 1
    hi = i
    while hi < len(toks) and depth[hi] >= level:
        hi += 1
    return lo, hi


def _header_end(toks: list[Tok], clause: Clause, words: WordClasses) -> int:
    """End of a short title before a colon at the start of the clause ("Returns labels:",
    "- Calls to the provider: ..."), after a bullet or markup; a lower-case key that says what
    the line is ("- trigger: ...") is a title too."""
    first = clause.start
    while first < clause.end - 1 and (toks[first].text in BULLETS or toks[first].text in MARKUP):
        first += 1
    if (
        first + 1 < clause.end
        and toks[first + 1].text == ":"
        and toks[first].norm in words.header_key
    ):
        return first + 2
    if (
        first + 2 < clause.end
        and toks[first + 2].text == ":"
        and (toks[first + 1].norm in words.runner_noun or toks[first + 1].norm in words.title_noun)
    ):
        return first + 3  # "release bot: ...", "payroll sync: ...": what the line is about
    if not toks[first].text[:1].isupper():
        return clause.start  # `postgres.insert: rollouts` is a key naming the action
    for k in range(first, min(first + 6, clause.end)):
        if toks[k].text == ":":
            return k + 1
        if toks[k].norm in ("the", "a", "an") and k > first and (toks[k - 1].norm in PREPOSITIONS):
            continue  # "Calls to the provider:": a title's own phrase
        if toks[k].norm in ("the", "we", "our", "a", "an", "i"):
            return clause.start
    return clause.start


# cues whose one word alone in inline code is a name ("is in `notified`"); a `dlq` or an
# `upsert` in code still names its mechanism
_WORD_CUES = frozenset(("alerting", "logging", "swallow", "no_handling", "replay"))


def _named_in_code(toks: list[Tok], cue: Mention) -> bool:
    """'skip if order_ref is in `notified`': a cue word that is all of an inline-code span is
    a table's or a field's name, no mechanism."""
    s, e = cue.start, cue.end
    return (
        cue.label in _WORD_CUES
        and e - s == 1
        and s > 0
        and e < len(toks)
        and toks[s - 1].text == "`"
        and toks[e].text == "`"
        and toks[s].text.isalpha()
    )


def _step_named(toks: list[Tok], cue: Mention) -> bool:
    """'Adding step 3: after the upsert, create a subscription in Chargebee': a one-word cue
    that is the noun of 'after the' / 'before the' names the step done then, no mechanism
    of what follows."""
    s = cue.start
    return (
        cue.label == "idempotency"  # ("after the retries run out" still names the retries)
        and cue.end - s == 1
        and s >= 2
        and toks[s - 1].norm == "the"
        and toks[s - 2].norm in ("after", "before", "until")
        and toks[s].text.isalpha()
    )


def _required(view: TextView, cue: Mention) -> bool:
    """Does the cue's sentence have what the cue needs (a failure word for 'alarm')?"""
    need = cue.requires
    if not need:
        return True
    lo, hi = view.lay.sentences[view.lay.sentence_of[cue.start]]
    if need == "failure":
        lo_p, hi_p = _previous(view, lo)
        return _about_failure(view, lo, hi) or any(
            c.label == "terminal_path" for c in view.ann.of(Group.CUE) if lo_p <= c.start < hi_p
        )
    if need == "retry":  # another retry word than the cue's own, not inside a bracket the
        # cue is outside of ("rows kept forever (stripe retries for 3 days)")
        depth = view.lay.depth
        return any(
            lo <= i < hi and not cue.start <= i < cue.end and depth[i] <= depth[cue.start]
            for i in view.term_starts("RETRY_WORD")
        )
    if need == "key":  # in the sentence, or the one before ('... on `transaction_id`. We
        # build it as f"{id}-{datetime.utcnow()}"')
        if _value_of_field(view.toks, cue):
            return False
        if cue.label == "unstable_key" and _credential_changed(view, lo, hi):
            return False  # "revoked and a new one issued; the new key is in Secrets Manager"
        return _about_key(view, lo, hi) or _about_key(view, *_previous(view, lo))
    if need == "credential":  # "the token is in the cron host's environment"
        return _about_credential(view, lo, hi)
    if need == "write":
        return any(v.label == "WRITE" for v in view.ann.of(Group.VERB) if lo <= v.start < hi)
    if need == "dedupe":  # "only sends the code if that insert succeeded": a unique insert
        return any(
            c.label == "idempotency" and c.start != cue.start
            for c in view.ann.of(Group.CUE)
            if lo <= c.start < hi
        )
    if need == "datastore":
        return any(m.info.role == "datastore" for m in view.services if lo <= m.start < hi)
    return True


_KEY_WORDS = frozenset(("key", "keys", "id", "ids", "token", "ref", "nonce", "reference"))


def _value_of_field(toks: list[Tok], cue: Mention) -> bool:
    """Is the cue the value set into a named field that is no key (`SET sent_at = now()`,
    `"updated_at": now()`)? A clock there stamps the row; it keys nothing."""
    k = cue.start - 1
    if k < 1 or toks[k].text not in ("=", ":"):
        return False
    k -= 1
    if toks[k].text in ('"', "'"):
        k -= 1
    name: list[str] = []
    while k >= 0 and (toks[k].text[:1].isalnum() or toks[k].text == "_"):
        name.append(toks[k].norm)  # the name, last word first: `sent_at` is at, _, sent
        if k == 0 or toks[k - 1].ws:
            break
        k -= 1
    words = [w for w in name if w != "_"]
    return bool(words) and words[0] not in _KEY_WORDS and not any("key" in w for w in words)


_CREDENTIAL_CHANGES = frozenset(("revoked", "rotation", "vault"))


def _credential_changed(view: TextView, lo: int, hi: int) -> bool:
    """Does the sentence revoke, rotate or vault a credential? A "new key" there is the
    credential issued in its place, no idempotency key made per attempt."""
    return any(c.label in _CREDENTIAL_CHANGES for c in view.ann.of(Group.CUE) if lo <= c.start < hi)


def _about_failure(view: TextView, lo: int, hi: int) -> bool:
    """A failure word, a terminal path, or retries running out ("when the attempts run out,
    we get a Slack alert") in tokens lo..hi; a failure word inside an event's dotted name
    (`payout.failed`, `invoice.payment_failed`) names the business event, no failure of
    the flow."""
    toks = view.toks
    words = [
        i
        for i in view.term_starts("FAILURE_WORD")
        if lo <= i < hi and not (i > 0 and not toks[i - 1].ws and toks[i - 1].text in "._")
    ]
    return bool(words) or any(
        c.label in ("terminal_path", "max_attempts")
        for c in view.ann.of(Group.CUE)
        if lo <= c.start < hi
    )


def _about_credential(view: TextView, lo: int, hi: int) -> bool:
    """A credential word in tokens lo..hi that is no word of an idempotency cue: the key
    of "sent with the ticket number as its idempotency key" opens nothing."""
    keys = {
        i
        for c in view.ann.of(Group.CUE)
        if c.label in ("idempotency", "idempotency_store") and c.end > lo and c.start < hi
        for i in range(c.start, c.end)
    }
    at = view.term_starts("CREDENTIAL_NOUN")
    return any(i in at and i not in keys for i in range(lo, hi))


def _about_key(view: TextView, lo: int, hi: int) -> bool:
    return (
        view.has_term("CREDENTIAL_NOUN", lo, hi)
        or view.has_term("ID_NOUN", lo, hi)
        or any(
            c.label in ("idempotency", "idempotency_store")
            for c in view.ann.of(Group.CUE)
            if lo <= c.start < hi
        )
    )


def _stated_cues(
    ann: Annotation, services: list[SvcMention], cues: list[Mention], wait_words: frozenset[str]
) -> list[Mention]:
    """The cues that state a mechanism, minus those that are words of a name or of a
    re-call with a wait in it."""
    # a cue inside a system's name is no mechanism ("the partner's callback URL")
    # (or a product's: "resend calls use exponential backoff" names Resend, no re-send; a
    # "Calendly webhook" is still the delivery it names)
    inside_at = {
        i for m in services if m.info.role in ("api", "datastore") for i in range(m.start, m.end)
    }
    # nor one that starts mid-word in a product's name ("BigQuery service-account key" is no
    # "query ... key" lookup): the tokenizer split the name, the writer did not; a name
    # joined by punctuation keeps its cue ("the `booking-failures` Service Bus queue")
    toks = ann.toks
    mid_word = {
        i
        for s in services
        for i in range(s.start + 1, s.end)
        if not toks[i - 1].ws and toks[i - 1].text[-1:].isalnum()  # not "booking-failures"
    }
    # nor one that starts at a one-word name the tokenizer split ("OneSignal drops a second
    # notification": "One" is no number of a rate)
    mid_word |= {s.start for s in services if s.start + 1 in mid_word}
    # "retry failed webhook deliveries", "its own outgoing webhooks": webhooks sent, not a
    # trigger of this workflow (extract/steps/deliveries.py reads the sending); "Stripe
    # webhook deliveries", "Stripe's webhook deliveries" are Stripe's
    ends = {m.end for m in services if m.info.role == "api"}
    sent = {
        i
        for t in ann.of(Group.TERM)
        if t.label == "OUTBOUND_HOOK" and not ends & {t.start, t.start - 1}
        for i in range(t.start, t.end)
    }
    return [
        c
        for c in cues
        if not (c.label != "webhook" and all(i in inside_at for i in range(c.start, c.end)))
        and c.start not in mid_word
        and not (c.label == "webhook" and c.start in sent)
        and not (c.label == "retry_immediate" and _waits(toks, c, wait_words))
        and not _named_subject(toks, c)
        and not (c.label == "throttle_rate" and _done_to_us(toks, c, ends))
    ]


def _done_to_us(toks: list[Tok], cue: Mention, service_ends: set[int]) -> bool:
    """'my SMTP server quickly rate-limited the sending', 'Salesforce throttled us': a past
    verb of pacing whose subject is the system called is what it did to us, a symptom, no
    throttle of the design ('calls to it are throttled' is one: an auxiliary comes first)."""
    if not toks[cue.end - 1].norm.endswith("ed"):  # "throttled", "rate-limited"
        return False
    k = cue.start
    while k > 0 and toks[k - 1].norm in ("quickly", "then", "immediately", "soon", "just"):
        k -= 1
    return k in service_ends


def _named_subject(toks: list[Tok], cue: Mention) -> bool:
    """'if Notify was to experience issues': a one-word cue written with a capital in
    mid-sentence and followed by an auxiliary is a name, the subject of its verb."""
    if cue.end - cue.start != 1 or cue.start == 0 or not toks[cue.start].text[:1].isupper():
        return False
    tok, prev = toks[cue.start], toks[cue.start - 1]
    nxt = toks[cue.end].norm if cue.end < len(toks) else ""
    return (
        tok.text[1:].islower()
        and not tok.line_start
        and prev.text[:1].isalpha()
        and nxt in _NAME_AUXILIARIES
    )


_NAME_AUXILIARIES = frozenset(("was", "is", "were", "has", "had", "returns", "went", "goes"))


def _waits(toks: list[Tok], cue: Mention, words: frozenset[str]) -> bool:
    """Does a re-call's span hold a wait ('call fails we pause a second, then call again')?
    A wait of zero is none ('retry_delay_ms: 0')."""
    if toks[cue.end - 1].text in _ZERO:
        return False
    if cue.end - cue.start > 2 and any(
        toks[i].norm in words for i in range(cue.start + 1, cue.end - 1)
    ):
        return True
    # "in the catch we sleep with exponential backoff (0.5 s, 1 s) and call it again": the
    # wait told just before the re-call, in its sentence, then 'and'/'then' to the re-call
    # (not "backoff instead of the immediate re-call")
    joined = False
    for i in range(cue.start - 1, max(cue.start - 16, -1), -1):
        if toks[i].text in (".", "!", "?", ";") or toks[i].norm in ("instead", "not", "no"):
            return False
        if toks[i].norm in ("and", "then"):
            joined = True
        elif toks[i].norm in words:
            return joined
    return False


_ZERO = frozenset(("0", "0.0", "00"))


def _previous(view: TextView, lo: int) -> tuple[int, int]:
    """The sentence before, when the paragraph goes on ('... lands in failed_jobs. Ops get a
    Slack alert.': the alert is about the failures just routed); else an empty span."""
    index = view.lay.sentence_of[lo]
    if index == 0:
        return lo, lo
    start, end = view.lay.sentences[index - 1]
    toks = view.toks
    if end <= start or toks[lo].line - toks[end - 1].line > 1:
        return lo, lo
    return start, end


def build_view(
    ann: Annotation,
    catalog: ServiceCatalog,
    turn: int,
    known: dict[str, ServiceInfo] | None = None,
    sections: SectionRoles | None = None,
) -> TextView:
    """Lay out and read one text; `known` carries generic services named in earlier turns."""
    aliases = dict(known or {})
    services = find_services(ann, catalog, aliases)
    named = {i for s in services for i in range(s.start, s.end)}
    # "MessageBird", "Cloud Run", "Redis stream": a verb inside a service's name is no verb
    ann.mentions[Group.VERB] = [m for m in ann.of(Group.VERB) if m.start not in named]
    acted = {i for s in services if s.info.role != "runtime" for i in range(s.start, s.end)}
    blocks = read_blocks(ann.text, sections) if sections is not None else None
    lay = layout(ann, catalog.words, acted, blocks)
    view = TextView(ann, lay, services, catalog.platform_vendors)
    view.catalog = catalog
    view.service_toks = named
    view.acted_toks = acted
    for s in view.services:
        view.svc_by_clause.setdefault(lay.clause_of[s.start], []).append(s)
    for t in ann.of(Group.TERM):
        view.terms_at.setdefault(t.label, set()).add(t.start)
    # a token pattern with gaps must not reach across a sentence ("catch. If it")
    within = [
        m for m in ann.of(Group.CUE) if lay.sentence_of[m.start] == lay.sentence_of[m.end - 1]
    ]
    ann.mentions[Group.CONTEXT] = [
        m for m in ann.of(Group.CONTEXT) if lay.sentence_of[m.start] == lay.sentence_of[m.end - 1]
    ]
    within = _stated_cues(ann, services, within, catalog.words.wait_word)
    within = [c for c in within if not _named_in_code(ann.toks, c) and not _step_named(ann.toks, c)]
    view.cues = longest_first([c for c in within if _required(view, c)])
    view.ctx = ConText(ann, lay, view.cues, catalog.words.finite_verb, named)
    view.verb_starts = frozenset(m.start for m in ann.of(Group.VERB))
    view.aliases = aliases
    for group, mentions in (
        (Group.CUE, view.cues),
        (Group.VERB, ann.of(Group.VERB)),
        (Group.CONTEXT, ann.of(Group.CONTEXT)),
        (Group.TERM, ann.of(Group.TERM)),
    ):
        per: dict[int, list[Mention]] = {}
        for m in mentions:
            per.setdefault(lay.clause_of[m.start], []).append(m)
        view.by_clause[group.value] = per
    return view
