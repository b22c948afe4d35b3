"""Row models for the lexicons: every JSONL row is validated with `extra="forbid"` on load.

A `pattern` that is a string is a phrase (matched on token norms, case-insensitive); a list is
a spaCy `Matcher` token pattern. Each row has a stable `id` that becomes the `rule` of any
evidence it produces, so a user can trace every decision back to one line of data.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workflow_prover.models import ClaimKind

RuleId = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$", max_length=80)]
TokenPattern = list[dict[str, Any]]
Pattern = str | TokenPattern

# Token attributes a lexicon's token pattern may use. NORM carries the fuzzy typo correction,
# so patterns that should survive misspellings use NORM rather than LOWER or ORTH.
_TOKEN_KEYS = {
    "NORM",
    "LOWER",
    "ORTH",
    "IS_DIGIT",
    "LIKE_NUM",
    "IS_PUNCT",
    "IS_ALPHA",
    "OP",
    "TEXT",
    "IS_SPACE",
    "LENGTH",
    "IS_UPPER",
    "IS_TITLE",
    "SPACY",  # the token is followed by whitespace: glued identifier parts have none
}


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId
    comment: str | None = None


def _check_pattern(pattern: Pattern) -> Pattern:
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ValueError("a phrase pattern must not be empty")
        return pattern
    if not pattern:
        raise ValueError("a token pattern must have at least one token")
    for token in pattern:
        unknown = set(token) - _TOKEN_KEYS
        if unknown:
            raise ValueError(f"unknown token attribute(s) {sorted(unknown)}")
    return pattern


class CategoryRow(_Row):
    """A service category and what it means for the checks."""

    name: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    role: Literal["api", "datastore", "runtime", "secrets"]
    rate_limited: bool  # does a call to it need backoff or throttling (rubric 2.3)?
    # alerts go there: named next to an alerting cue ("finance ops get a Slack ping") it is
    # where the alerts go, not a step
    alerts: bool = False
    # an API that keeps a mechanism's state or output the way a datastore does (logs,
    # metrics): named with a mechanism it is where the mechanism lives
    hosts_mechanisms: bool = False
    # its services have '#channels': "posts one digest to #wins" is the one such service's
    hash_channels: bool = False
    # it sends messages people read: quoted words after it ('post to Slack: "N leads synced"')
    # are the message's text, not actions
    messages: bool = False


class ServiceRow(_Row):
    """A real service or product, with the aliases people write for it."""

    name: str = Field(min_length=1, max_length=60)
    category: str
    aliases: list[str] = Field(default_factory=list)
    vendor: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")
    # A database engine that hosted databases run ("Cloud SQL (Postgres)", "Supabase
    # Postgres"): in a text that names such a host, the engine's name is that host.
    engine: bool = False

    @field_validator("aliases")
    @classmethod
    def _aliases_not_blank(cls, value: list[str]) -> list[str]:
        if any(not alias.strip() for alias in value):
            raise ValueError("aliases must not be blank")
        return value


VerbLabel = Literal["READ", "WRITE", "TRANSFER", "RECEIVE"]


class VerbRow(_Row):
    """An action verb. `forms` lists irregular inflections; regular ones are derived."""

    label: VerbLabel
    pattern: str = Field(min_length=1)
    forms: list[str] = Field(default_factory=list)
    # The verb starts the workflow rather than sending anything ("Stripe webhooks trigger
    # the flow"): before a webhook cue it leaves the webhook inbound
    starts_run: bool = False


ClaimLabel = Literal[
    "terminal_path",
    "compensation",
    "swallow",
    "retry",
    "try_catch",
    "logging",
    "alerting",
    "error_handling",
    "no_handling",
    "timeout",
    "replay",
    "backoff_exponential",
    "retry_fixed",
    "retry_immediate",
    "jitter",
    "throttle_rate",
    "throttle_concurrency",
    "retry_after",
    "rate_limit_errors",
    "max_attempts",
    "unbounded",
    "idempotency",
    "idempotency_store",
    "unstable_key",
    "key_retention",
    "vault",
    "workload_identity",
    "hardcoded",
    "env_var",
    "rotation",
    "revoked",
    "webhook",
]


class CueRow(_Row):
    """A mention of a resilience mechanism (a claim cue)."""

    label: ClaimLabel
    pattern: Pattern
    # "gt1": the first number in the match must be above 1 (a backoff coefficient of 2.0 is
    # exponential, 1.0 is a fixed interval).
    value_check: Literal["gt1", "eq1"] | None = None
    # A mechanism part the checks do not apply to (the DLQ itself, a dedupe table).
    mechanism_part: bool = False
    # The cue only counts when its sentence also has: a failure word ("alarm" alone is not
    # failure handling), a retry, a key or credential noun, a credential noun alone, a write
    # verb, a datastore, or another de-duplication cue (a gate on a unique insert).
    requires: (
        Literal["failure", "retry", "key", "credential", "write", "datastore", "dedupe"] | None
    ) = None
    # The cue names the harm, so only its negation is a claim: "nobody is texted twice",
    # "no duplicates" assert de-duplication; "this creates duplicates" asserts nothing.
    inverted: bool = False
    # The cue says its mechanism is absent ("Front calls go out unthrottled"): asserted it
    # negates the mechanism, negated ("never unthrottled") it asserts it
    absent: bool = False
    # The cue states a rate ("10 requests per second", "a token bucket"): with it, a schedule
    # in the clause is not the only pacing
    states_rate: bool = False
    # The cue names the threat a de-duplication in its sentence answers, not a mechanism of
    # the design: "a redelivered webhook can't duplicate it" states no retry policy.
    threat: bool = False
    # The cue is a uniqueness the store itself enforces ("a unique constraint", "it is the
    # primary key in Spanner"): the store named with it is the system whose writes it keys,
    # not a separate store that keeps the keys of another step ("deduped on msg_id in Redis").
    store_constraint: bool = False

    @field_validator("pattern")
    @classmethod
    def _pattern_ok(cls, value: Pattern) -> Pattern:
        return _check_pattern(value)


ContextLabel = Literal[
    "NEGATED", "PLANNED", "QUESTION", "HYPOTHETICAL", "HISTORICAL", "INSTRUCTION", "TERMINATOR"
]
Direction = Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO"]


class ContextRow(_Row):
    """A ConText modifier: a cue that changes the modality of what lies in its scope.

    `PSEUDO` rows look like a cue but are not one ("not only", "no doubt"): where one matches,
    cues inside it do not fire. `TERMINATOR` rows end a scope in the given direction.
    `max_scope` bounds the scope in tokens; without it the scope runs to the clause end.
    """

    label: ContextLabel
    pattern: Pattern
    direction: Direction
    max_scope: int | None = Field(default=None, ge=1, le=60)
    # "clause" (the default) or "sentence": "a DLQ for when Jira is down would be smart"
    # qualifies the whole sentence, across its clauses
    reach: Literal["clause", "sentence"] = "clause"
    # The claim kinds the cue modifies, as medspaCy's `allowed_types` (empty: every kind):
    # "re-runs the job by hand" denies a retry policy, not the failed_exports table it
    # replays by hand
    kinds: tuple[ClaimKind, ...] = ()
    # What the scope code does with the cue beyond its label:
    # "exceptive": it answers an earlier negation ("never ... without", "no ... except"), so
    #   after a quantifier it negates nothing and a negation before it is not doubled;
    # "verb": it negates the verb phrase that follows ("we can't process"), not the clause;
    # "retraction": a removal ("we removed the DLQ"): a past date does not make it history,
    #   and one that points back negates what the sentence before asserted;
    # "dated": a date in the past ("last week") that a retraction in its scope outweighs;
    # "question_mark": the scope runs back over the sentence to a "question_bound" terminator;
    # "continues": it carries on the negation before it ("neither A nor B sends a key" is one
    #   negation, not two that cancel);
    # "status": a clause of its own that says the clause before is not done ("we might add
    #   a condition keyed on event_id; not done yet"): it negates what that clause asserted.
    # "phrase_end": a cue only where its phrase ends (punctuation or the text's end after
    #   it): "retries: nothing." denies the retries, "nothing here is hardcoded" does not
    #   reach back over "vault, ";
    # "imperative": an instruction only as an imperative, with no subject of its own before
    #   it in its clause ("treat it as a DLQ"): "Modulr treats it as an idempotency key"
    #   states what a system does;
    # "silence": the text says nothing about it ("she didn't say anything about dupes"): it
    #   negates a mechanism, and a harm word after it is no "no duplicates" (claims/cues.py);
    # "intent": a plan that states what the design sets out to do ("we want to create the
    #   lead in Close"): a mechanism in its scope is only planned, an action is a step;
    # "predicate": a denied predicate said of its clause's subject ("the Idempotency-Key is
    #   never sent", "a DLQ is not used"): it negates the subject before it (or, after "but"/
    #   "and" with no subject of its own, the subject of the clause before) and the verb
    #   phrase it opens.
    effect: (
        Literal[
            "exceptive",
            "verb",
            "retraction",
            "dated",
            "question_mark",
            "question_bound",
            "continues",
            "status",
            "silence",
            "phrase_end",
            "imperative",
            "intent",
            "predicate",
        ]
        | None
    ) = None

    @field_validator("pattern")
    @classmethod
    def _pattern_ok(cls, value: Pattern) -> Pattern:
        return _check_pattern(value)

    @model_validator(mode="after")
    def _terminator_direction(self) -> ContextRow:
        if self.label == "TERMINATOR" and self.direction == "PSEUDO":
            raise ValueError("a terminator cannot be a pseudo-cue")
        return self


WordLabel = Literal[
    # services (extract/services/)
    "PLATFORM_VENDOR",  # aws, google: a vendor whose name alone stands for its many products
    "CLOUD_PREFIX",  # aws, gcp, azure: "aws-lambda" is a compound, not the vendor
    "SYSTEM_AFTER",  # api, sdk, token: after a lower-case alias, the alias is a system
    "NAME_FILLER",  # api, service, platform: words two spellings of one system may differ by
    "NOT_A_NAME",  # failed, inbound: a capitalised word before a head that is no name
    "VAGUE_NAME",  # data, admin, core: too vague to name a generic service on its own
    "BRACKET_HEAD",  # db, queue: "our ledger database (Postgres)": the product is the system
    "DATABASE_HEAD",  # db, warehouse: a bracketed head that makes the system a database
    "UI_ACTION",  # click, tap: "click Submit" names a button, not a system
    "SYSTEM_COLUMN",  # system, service: a table column so headed names each row's system
    "TYPE_SUFFIX",  # Error, Event: "PaymentFailure" is a code type, not a product
    "HEAD_ALIAS",  # broker, db: "the broker" later refers back to the one broker named
    "EVENT_NOUN",  # event, topic: "the user.lifecycle.activate event" is a name, no call
    "DATA_NOUN",  # rows, records: "ledger rows" are data, not a service
    "ROLE_MODIFIER",  # partner, customer: "the partner's endpoint" is a generic service
    "PROVIDER_HEAD",  # provider, vendor (GENERIC_HEAD terms): "the payment provider"
    "NAMED_BY_NEXT",  # service, svc: "our `docs-review` service" is the slug's system
    "ENDPOINT_HEAD",  # api, db (GENERIC_HEAD terms): "our CRM API": the head builds it
    # reading, steps and claims (extract/reading.py, extract/steps/, extract/claims/)
    "STEP_NOUN",  # step, call (GENERAL_NOUN terms): 'the Pipedrive step has a DLQ'
    "HAVE_VERB",  # has, gets, lacks: a service said to have (or lack) a mechanism is acted on
    "RUNNER_NOUN",  # worker, handler: our own code, whose verb acts though no system is named
    "API_HEAD",  # api, endpoint (GENERIC_HEAD terms): beside one lexicon service, its API
    "RESPONSE_VERB",  # answers, returns: 'when the registry answers 429' is a failure condition
    "PRODUCT_HEAD",  # api, service, app: 'Stripe Retry API' is a product name, not a retry
    "FINITE_VERB",  # go, lands, is: a finite verb ends a negation's reach over the subject
    "EXCEPT_WORD",  # except, excluding: what follows is left out of a claim's scope
    "INCLUDED_BEFORE",  # including, even: 'including Stripe' names one of everything
    "INCLUDED_AFTER",  # included, too: 'RabbitMQ included' names one of everything
    "SCHEDULE_WORD",  # nightly, minutes: a schedule paces the run, it throttles no call
    "ROUTE_VERB",  # go, lands, parked: 'failed events go to a bucket' is a terminal path
    # clause frames (extract/layout/frames.py)
    "ADVERBIAL_OPENER",  # when, if, upon: a clause opening with one has a trigger or condition
    "STATE_WORD",  # already, missing: 'when the id is already there' is a condition, no event
    "SCHEDULE_STARTER",  # every, nightly, at, cron: a clause may open with a schedule
    "SCHEDULE_ADVERB",  # nightly, daily: a schedule of one word
    "SCHEDULE_UNIT",  # minutes, night, monday: the unit that ends 'every 15 minutes'
    "TARGET_WORD",  # to, into, against: the system after it is the target
    "CHANNEL_WORD",  # via, through: the system after it is the channel
    "SOURCE_WORD",  # from, off: the system after it is the source
    "SYSTEM_HEAD",  # api, job, table: 'the nightly sync job': the word before is a noun
    "ADVERBIAL_VERB",  # lands, arrives: an unlisted verb that a trigger adverbial has
    "ON_EVENT_NOUN",  # webhook, event, submission: ends 'on a Paddle webhook'
    "SYSTEM_KEY",  # db, target, sink: '{db: postgres}' names the system acted on
    "SOURCE_KEY",  # source, input: the keyed system is read from
    "SINK_KEY",  # sink, destination: the keyed system is written to
    # clauses and verbs (extract/layout/clauses.py, extract/layout/verbs.py)
    "PLURAL_SUBJECT",  # failures, calls: '... and failures go to X' starts a clause
    "PLURAL_PREDICATE",  # go, use, land: the predicate after such a subject
    "CLAUSE_TRIGGER",  # when, once (TRIGGER terms): a conjunction opening a clause of its own
    "CONDITION_INTRODUCER",  # skipped, only: 'skipped when ...' is a condition, no clause
    "ONCE_NOT_TRIGGER",  # a, per, more: 'once a day' is an adverb, no trigger
    "BUT_QUANTIFIER",  # all, every (QUANTIFIER terms): 'all apis but X': 'but' is 'except'
    "TIME_NOUN",  # time, date: 'built at send time': the verb is a noun
    "EVENT_NAME_NOUN",  # event, topic: a verb in a dotted name before one names an event
    "VERB_PREFIX",  # batch, re, soft: 'batch-upsert' still acts
    "VERB_PARTICLE",  # back, up: 'the write-back' is headed by its verb
    "SOURCED_VERB",  # enrich, generate: 'enriches the lead from Apollo' reads Apollo
    "RESULT_OPENER",  # so, hence: 'so a replay can't double pay' is about the clause before
    "DOMAIN_SUFFIX",  # io, com: 'add the points in smile.io' names a product by its domain
    "RECIPIENT_VERB",  # gets, receives: 'ledger-api gets the entry': the subject is written to
    "CALL_VERB",  # call, ping: 'never call shiphero without a key': its bare object is a system
    # modifiers and runtimes (read by services and verbs)
    "GENERIC_ADJECTIVE",  # internal, rest, third-party: says nothing about which system
    "NOUN_MODIFIER",  # outbound, nightly, new: the verb-shaped word after it is a noun
    "RUNTIME_NOUN",  # worker, job, lambda: what runs the workflow, not what it talks to
    # subsets of terms.jsonl labels, marked on the term rows (TermRow.classes) like the
    # classes above that name a term label
    "NAME_START",  # oracle, sage (CASED): "Oracle Transportation Management" is not Oracle
    "ALONE_QUANTIFIER",  # everything, anywhere: a quantifier with no noun, over all steps
    "OPENING_PRONOUN",  # its, they: a clause opening with one is about the clause before
    "STAND_IN",  # it, those, which: a pronoun standing in for services named before
    "NUMBERED_STEP_REF",  # step, stages: "steps 1-3", "node 4" refer to steps by number
    "STEP_MARKER",  # step, stage: "Step 1 fetches the order, step 2 buys a label": list items
    "TITLE_NOUN",  # sync, bridge, pipeline: "Zendesk -> Jira bridge." names the flow, a title
    "REMOVAL_VERB",  # drop, remove, scrap: "drop the Redis set" takes back what the set did
    "WAIT_WORD",  # pause, wait, sleep: a re-call with a wait in between is no immediate retry
    "DELIVERY_NOUN",  # payload, message: "payloads we can't parse go to the DLQ": receipts only
    "INBOX_HEAD",  # endpoint, webhook: "a Zendesk trigger calls our webhook endpoint": to us
    "CLIENT_MAKER",  # client, connect, sdk: `erp = ErpClient(url)` makes a client of a system
    "HEADER_KEY",  # trigger, schedule: '- trigger: the order message' titles a line, not a verb
    "GENERIC_CALL",  # call, hit: '(they) are called with backoff' restates other steps' calls
    "STATEMENT_VERB",  # uses, authenticates: 'the worker uses X and the Y connection uses Z'
    "RECEIVE_KEY",  # trigger: '- Trigger: HubSpot Trigger (deal.propertyChange)' receives
    "LOG_VERB",  # logs, emits, increments: the name it is followed by is a log line or metric
    "PRESENT_TURN",  # now, today: a history paragraph reaches the present design
    "REPLACED_WORD",  # replaced, superseded ... by: the replacement is the present design
    "READ_REMARK",  # read, read-only: 'enrich the contact via apollo.io (read)' is a read
    "DELEGATE_VERB",  # ask, tell: 'the worker asks the Vimeo API to create a clip' acts on it
    "FETCH_MODIFIER",  # new, latest: 'hits the square api for new catalog items' asks for data
    "OBJECT_VERB",  # fire: acts with an object only ('fire a klaviyo event', not 'fires hourly')
    "SETUP_VERB",  # create, generate: 'Create a Restricted API Key' sets the workflow up
    "PUBLISH_VERB",  # publishes, emits: 'ledger-api publishes payment.approved to NATS' is
    # another system's event arriving on our broker
    "BUILD_VERB",  # adds, introduces: 'Adds `postcard-svc`' builds code, no action on a system
    "CARRY_VERB",  # puts, stamps: 'puts the invoice ID in the bill's reference' carries a key
    "KEY_FIELD",  # field, memo: the part of a record a carried key goes into
    "SETTING_WORD",  # set, enabled, on: "set to 'Continue On Fail'" turns the control on
    "FLAG_WORD",  # enabled, toggle: `retry_dlq_enabled` is the name of a switch, not its state
    "RECORD_FIELD",  # count, id, at: the cue word of `retry_count` names a field, no mechanism
    "ENRICH_VERB",  # enrich, augment: 'enrich the lead via Clearbit' reads Clearbit
    "GUARD_NOUN",  # check, dedupe: 'the slack post uses the same check' repeats the dedupe
    "SQL_RUNNER",  # query, execute: `pg.query('INSERT ...')`: the statement it runs acts
    "RETURN_VERB",  # returns, assigns: "the `MessageSid` Twilio returns" names the value's maker
    "SQL_STATEMENT",  # INSERT, UPDATE: an upper-case statement with no system acts on a database
]


TermLabel = Literal[
    "QUANTIFIER",  # all, every, each, any, both
    "GENERAL_NOUN",  # calls, writes, steps: "every write" covers all writes
    "ID_NOUN",  # "the Shopify order ID": the service is named as an attribute, not a target
    "CREDENTIAL_NOUN",  # token, key, password: "the Twilio token"
    "GENERIC_HEAD",  # API, endpoint, DB: "the warehouse API" is a service
    "SLUG_HEAD",  # svc, api, relay: the last word of an internal service's slug ("billing-svc")
    "CATEGORY_WORD",  # CRM, ERP, LMS: "our CRM" is a service on its own
    "CATEGORY_HINT",  # billing, email, state: "the state licensing API" is a government API
    "MECHANISM_HEAD",  # table, set, list, collection: where a mechanism keeps its state
    "STEP_REF",  # step, node, stage: "step 3", "the NetSuite node"
    "COMMON",  # common English words never to be "corrected" by the fuzzy matcher
    "CASED",  # service aliases that are English words: matched only as written ("Box")
    "PRONOUN",  # it, that, they: a clause that refers back to the sentence's topic
    "TRIGGER",  # when, once, whenever: an event clause, not an action of the workflow
    "ACTOR",  # applicants, customers: people whose actions start the workflow
    "SCHEDULER",  # "an EventBridge schedule runs a Lambda": the service only starts the run
    "CHANNEL",  # through, via: the service actually called
    "SOURCE",  # from: the service a transfer verb reads
    "FAILURE_WORD",  # fails, error, exception: the context alerting and logging need
    "RETRY_WORD",  # retry, again, attempts: the context "right away" needs
    "NEW_STEP",  # "add a step", "another step": a later turn's action is a step of its own
    "STEP_KIND",  # "a write", "an inbound receive": what a later turn says a step is
    "CORRECTION",  # correction, instead: a later turn's "step 4 posts ..." replaces step 4
    "STEP_REMOVAL",  # "isn't a step", "remove step": a later turn takes a step out of the reading
    "OFF_VALUE",  # false, none, null, off: a key's value that says the mechanism is absent
    "OUTBOUND_HOOK",  # webhook deliveries, outgoing webhooks: the workflow sends webhooks
]


class TermRow(_Row):
    """A single word or phrase with a structural role in the text."""

    label: TermLabel
    pattern: str = Field(min_length=1)
    category: str | None = None  # GENERIC_HEAD / CATEGORY_WORD: the service's; STEP_KIND: the kind
    filter: Literal["api", "write", "read", "database", "all"] | None = None  # GENERAL_NOUN
    # word classes (labels of `words.jsonl`) this one-word term also belongs to, for a rule
    # that reads some words of the label: "everything" stands alone, "when" opens a clause
    classes: list[WordLabel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _classes_one_word(self) -> TermRow:
        if self.classes and " " in self.pattern.strip():
            raise ValueError("only a one-word term can belong to word classes")
        return self


class WordRow(_Row):
    """A class of words an extractor compares token norms with (never annotated, never a
    typo target): domain words a rule reads, kept here so that changing one is a data row.

    `words` are lower-case single tokens; `terms` takes in every one-word pattern of a
    `terms.jsonl` label instead of listing those words twice. A class may have several rows,
    one per reason (say it in `comment`).
    """

    label: WordLabel
    words: list[Annotated[str, Field(pattern=r"^[^\sA-Z]+$")]] = Field(default_factory=list)
    terms: TermLabel | None = None

    @model_validator(mode="after")
    def _words_or_terms(self) -> WordRow:
        if bool(self.words) == (self.terms is not None):
            raise ValueError("a word row lists words or names a term label, not both")
        return self


class SectionRow(_Row):
    """A heading word and the role it gives its section, or a metadata key ("Status")."""

    pattern: str = Field(min_length=1, max_length=40)
    role: Literal[
        "design",
        "background",
        "alternatives",
        "history",
        "questions",
        "out_of_scope",
        "future",
        "setup",  # how to install or run the project ("Getting started"): no step, claims kept
        "meta",
        "document",  # a kind of document whose numbered id opens a title: "PR #77: ..."
    ]


class ConfusableRow(_Row):
    """A letter of another script that looks like an ASCII letter ("о", Cyrillic o)."""

    char: str = Field(min_length=1, max_length=1)
    ascii: str = Field(pattern=r"^[A-Za-z0-9]$")

    @field_validator("char")
    @classmethod
    def _not_ascii(cls, value: str) -> str:
        if value.isascii():
            raise ValueError("a confusable is a non-ASCII character")
        return value


class CredentialLabelRow(_Row):
    """A word of a field or header name, read by the positional secret detector.

    `credential`: the field holds a credential (token, secret, password); `qualified`: it does
    after a `qualifier` (`key` after api/access/private); `not_credential`: the field holds
    something else whatever other words it has (id, sha256, etag, idempotency).
    """

    word: Annotated[str, Field(pattern=r"^[a-z0-9]+$")]
    role: Literal["credential", "qualified", "qualifier", "not_credential"]
    kind: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = None  # placeholder kind

    @model_validator(mode="after")
    def _kind_only_for_credentials(self) -> CredentialLabelRow:
        if (self.kind is None) == (self.role in ("credential", "qualified")):
            raise ValueError("credential and qualified words need a kind; other roles take none")
        return self


class SecretRow(_Row):
    """A literal-secret detector. `kind` names the placeholder: `[REDACTED:<kind>]`."""

    kind: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    regex: str = Field(min_length=1)
    group: int = Field(default=0, ge=0)  # which group holds the secret value
    description: str = ""

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


Word = Annotated[str, Field(pattern=r"^[a-z0-9]+$")]  # a key or word reduced to [a-z0-9]
KeyRole = Literal[
    "step_list", "service", "action", "name", "trigger", "mechanism", "value", "comment"
]
MechanismKey = Literal[
    "retry",
    "strategy",
    "coefficient",
    "attempts",
    "delay",
    "jitter",
    "exponential_flag",
    "failure_path",
    "dlq",
    "alerting",
    "replay",
    "idempotency",
    "credentials",
    "rotation",
    "timeout",
    "rate",
    "concurrency",
]


class SchemaKeyRow(_Row):
    """What a key of ad-hoc JSON/YAML (or a keyword argument in code) says, by its name.

    `words` are key names (or, for `value` rows, value words; for `comment` rows, words of a
    trailing comment) reduced to lower-case letters and digits (`maxAttempts` = `max_attempts`
    = `maxattempts`). `step_list` keys hold the workflow's steps (`steps`, `tasks`, `jobs`...);
    a step's `service`, `action` and `name` keys say what it calls and does; `mechanism` keys
    state a resilience mechanism (`kind` says which); a `value` row maps a value word
    (`exponential`, `dlq`, `vault`) onto the claim it names (`claim`); a `comment` row marks a
    value as planned or absent (`# TODO`, `# later`).
    """

    role: KeyRole
    words: list[Word] = Field(min_length=1)
    kind: MechanismKey | None = None  # mechanism rows
    claim: ClaimLabel | Literal["no_handling", "negated"] | None = None  # value rows
    modality: Literal["planned", "negated"] | None = None  # comment rows

    @model_validator(mode="after")
    def _fields_for_role(self) -> SchemaKeyRow:
        wanted = {"mechanism": "kind", "value": "claim", "comment": "modality"}.get(self.role)
        for name in ("kind", "claim", "modality"):
            if (getattr(self, name) is not None) != (name == wanted):
                raise ValueError(
                    f"a {self.role} row {'needs' if name == wanted else 'takes no'} {name}"
                )
        return self


class NodeDefaultRow(_Row):
    """An n8n node's defaults: the resource and operation an export omits when they are unset.

    `node` is the last part of the node type (`n8n-nodes-base.hubspot` -> `hubspot`); `since`
    the first `typeVersion` these defaults hold for (the row with the highest `since` not above
    the node's version applies); `operations` maps a resource to its default operation (the key
    `""` for a node without resources); `inbound`: the node is a trigger its type does not name
    (`emailReadImap` polls a mailbox), receiving from `service`. Taken from the node's source in
    n8n-io/n8n.
    """

    node: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+$")]
    since: float = Field(default=1.0, ge=1.0)
    resource: str | None = None
    operations: dict[str, str] = Field(default_factory=dict)
    inbound: bool = False
    service: str | None = None
