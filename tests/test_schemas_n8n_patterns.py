"""n8n patterns real exports use: lookups, defaults, notes, the graph, credentials."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.extract.services.catalog import ServiceCatalog
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import Report
from workflow_prover.schemas import SchemaDoc, ServiceResolver, read_structured


@pytest.fixture(scope="module")
def resolver() -> ServiceResolver:
    lexicons = load_lexicons()
    return ServiceResolver(lexicons, ServiceCatalog(lexicons))


def export(*nodes: dict[str, Any], connections: dict[str, Any] | None = None) -> str:
    return json.dumps({"nodes": list(nodes), "connections": connections or {}}, indent=2)


def node(name: str, kind: str, version: float = 1, **parameters: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": f"n8n-nodes-base.{kind}",
        "typeVersion": version,
        "parameters": parameters,
    }


def chain(*names: str, port: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a, b in itertools.pairwise(names):
        out[a] = {"main": [[] for _ in range(port)] + [[{"node": b, "type": "main", "index": 0}]]}
    return out


def doc(text: str, resolver: ServiceResolver) -> SchemaDoc:
    [found] = read_structured(text, resolver).docs
    return found


def rules(found: SchemaDoc, step: str) -> set[str]:
    return {c.rule for c in found.claims if c.steps and step in c.steps}


def codes(report: Report, step: int | None = None) -> set[str]:
    return {f.code for f in report.findings if step is None or f.step == step}


HOOK = node("Hook", "webhook")
SEARCH = node("Search customer", "stripe", resource="customer", operation="search")
EXISTS = node(
    "Customer exists?",
    "if",
    conditions={"string": [{"value1": "={{ $json.id }}", "operation": "isEmpty"}]},
)
CREATE = node("Create customer", "stripe", resource="customer", operation="create")

LOOKUPS = [
    pytest.param([HOOK, SEARCH, EXISTS, CREATE], True, id="search-if-create"),
    pytest.param(
        [
            HOOK,
            SEARCH,
            node(
                "Own fields?",
                "if",
                conditions={
                    "string": [
                        {
                            "value1": '={{ $node["Create customer"].parameter["email"] }}',
                            "value2": "x",
                        }
                    ]
                },
            ),
            CREATE,
        ],
        False,
        id="if-on-the-writes-own-parameters",
    ),
    pytest.param(
        [HOOK, node("Find deal", "hubspot", resource="deal", operation="search"), EXISTS, CREATE],
        False,
        id="lookup-on-another-service",
    ),
    pytest.param(
        [
            HOOK,
            SEARCH,
            EXISTS,
            node("Create receipt", "stripe", resource="invoice", operation="create"),
        ],
        False,
        id="lookup-of-another-record",
    ),
]


@pytest.mark.parametrize(("nodes", "guarded"), LOOKUPS)
def test_when_a_create_is_checked_by_a_lookup_then_it_is_deduplicated(
    resolver: ServiceResolver, nodes: list[dict[str, Any]], guarded: bool
) -> None:
    found = doc(export(*nodes, connections=chain(*(n["name"] for n in nodes))), resolver)
    write = nodes[-1]["name"]
    assert ("schema.n8n.check_before_create" in rules(found, write)) is guarded


def test_when_the_checked_record_is_marked_after_the_create_then_it_is_deduplicated(
    resolver: ServiceResolver,
) -> None:
    nodes = [
        node("Every hour", "cron"),
        node("Get tickets", "zendesk", operation="getAll"),
        node(
            "Synced?",
            "if",
            conditions={
                "string": [{"value1": "={{ $json.external_id }}", "operation": "isNotEmpty"}]
            },
        ),
        node("Create ticket", "hubspot", resource="ticket", operation="create"),
        node("Write back external id", "zendesk", operation="update"),
    ]
    connections = chain("Every hour", "Get tickets", "Synced?")
    connections["Synced?"] = {"main": [[], [{"node": "Create ticket", "type": "main", "index": 0}]]}
    connections |= chain("Create ticket", "Write back external id")
    found = doc(export(*nodes, connections=connections), resolver)
    assert "schema.n8n.check_then_mark" in rules(found, "Create ticket")


@pytest.mark.parametrize(
    ("set_parameters", "retention"),
    [({"operation": "set"}, False), ({"operation": "set", "expire": True, "ttl": 86400}, True)],
)
def test_when_redis_is_read_before_and_set_after_a_write_then_it_is_a_processed_set(
    analyzer: Analyzer, set_parameters: dict[str, Any], retention: bool
) -> None:
    nodes = [
        HOOK,
        node("Seen?", "redis", operation="get", key="={{ $json.id }}"),
        node("Post", "slack"),
        node("Remember", "redis", **set_parameters),
    ]
    report = analyzer.analyze(
        export(*nodes, connections=chain("Hook", "Seen?", "Post", "Remember"))
    )
    post = next(s.index for s in report.steps if s.text == "Post")
    assert "WRITE_WITHOUT_IDEMPOTENCY" not in codes(report, post)
    assert ("KEY_WITHOUT_RETENTION" not in codes(report)) is retention


DEFAULTS = [
    pytest.param(node("C", "hubspot", version=2), "schema.n8n.upsert", id="hubspot-v2-contact"),
    pytest.param(
        node("C", "hubspot", resource="contact"),
        "schema.n8n.upsert",
        id="hubspot-v1-contact",
    ),
    pytest.param(
        node("S", "googleSheets", operation="appendOrUpdate", columnToMatchOn="id"),
        "schema.n8n.upsert",
        id="sheets-append-or-update",
    ),
    pytest.param(node("T", "telegram"), None, id="telegram-sends-a-message"),
]


@pytest.mark.parametrize(("item", "rule"), DEFAULTS)
def test_when_an_export_omits_the_operation_then_the_nodes_default_is_read(
    resolver: ServiceResolver, item: dict[str, Any], rule: str | None
) -> None:
    found = doc(export(HOOK, item, connections=chain("Hook", item["name"])), resolver)
    [step] = [s for s in found.steps if s.ident == item["name"]]
    assert step.action == "write"
    assert (rule in rules(found, item["name"])) if rule else not rules(found, item["name"])


@pytest.mark.parametrize("operation", ["get", "getAll", "search", "enrich", "verify", "lookup"])
def test_when_an_operation_looks_something_up_then_it_reads(
    resolver: ServiceResolver, operation: str
) -> None:
    item = node("Look", "clearbit", operation=operation)
    found = doc(export(HOOK, item, connections=chain("Hook", "Look")), resolver)
    assert [s.action for s in found.steps if s.ident == "Look"] == ["read"]


def _note(content: str) -> dict[str, Any]:
    return node("Note", "stickyNote", content=content)


def test_when_a_sticky_note_states_a_mechanism_then_it_is_a_claim_with_its_evidence(
    analyzer: Analyzer,
) -> None:
    text = export(
        _note("## How it works\nIf a call fails, we send an alert to the #ops Slack channel."),
        HOOK,
        node("Post", "slack"),
        connections=chain("Hook", "Post"),
    )
    report = analyzer.analyze(text)
    [alert] = [c for c in report.claims if c.kind.value == "alerting"]
    evidence = alert.evidence[0]
    note = text.index("## How it works")
    assert note < evidence.start < evidence.end < text.index('"name": "Hook"')
    assert "alert" in text[evidence.start : evidence.end]
    assert [s.text for s in report.steps] == ["Hook", "Post"]  # the note adds no step


@pytest.mark.parametrize(
    "content",
    [
        "Find your telegram chat id and paste it in the Set node.",
        "Add your Beehiiv API key, then deduplicate by email if you want.",
    ],
)
def test_when_a_sticky_note_speaks_to_the_reader_then_it_claims_nothing(
    analyzer: Analyzer, content: str
) -> None:
    text = export(_note(content), HOOK, node("Post", "slack"), connections=chain("Hook", "Post"))
    assert "WRITE_WITHOUT_IDEMPOTENCY" in codes(analyzer.analyze(text))


def test_when_a_sticky_note_names_other_services_then_they_are_no_steps(
    analyzer: Analyzer,
) -> None:
    note = _note("This workflow fetches orders from Shopify and posts them to Discord.")
    text = export(note, HOOK, node("Post", "slack"), connections=chain("Hook", "Post"))
    assert [s.text for s in analyzer.analyze(text).steps] == ["Hook", "Post"]


def test_when_nodes_are_connected_through_a_disabled_node_then_the_chain_holds(
    resolver: ServiceResolver,
) -> None:
    off = {**node("Off", "hubspot", operation="create"), "disabled": True}
    found = doc(
        export(node("Post", "slack"), off, HOOK, connections=chain("Hook", "Off", "Post")), resolver
    )
    assert [s.ident for s in found.steps] == ["Hook", "Post"]
    assert not found.issues


GRAPHS = [
    pytest.param(export(node("Hook", "hubspotTrigger")), "/nodes/0", [], id="trigger-alone"),
    pytest.param(
        export(node("A", "slack"), node("B", "twilio")), "/connections", ["A", "B"], id="empty"
    ),
    pytest.param(
        export(HOOK, node("A", "slack"), connections=chain("Hook", "Gone", "A")),
        "/connections/Hook/main/0/0/node",
        ["A"],
        id="names-a-missing-node",
    ),
]


@pytest.mark.parametrize(("text", "pointer", "steps"), GRAPHS)
def test_when_connections_are_empty_or_broken_then_a_note_says_where(
    resolver: ServiceResolver, text: str, pointer: str, steps: list[str]
) -> None:
    found = doc(text, resolver)
    assert [s.ident for s in found.steps] == steps
    assert pointer in {i.span.pointer for i in found.issues}
    assert {i.code for i in found.issues} == {"SCHEMA_GRAPH_INCOMPLETE"}


CREDENTIALS = [
    pytest.param(
        {"credentials": {"slackApi": {"id": "1"}}}, {}, "NO_VAULT_REFERENCE", id="credential-store"
    ),
    pytest.param(
        {},
        {
            "headerParameters": {
                "parameters": [{"name": "Authorization", "value": "Bearer {your_token}"}]
            }
        },
        "HARDCODED_CREDENTIAL",
        id="placeholder-in-a-header",
    ),
    pytest.param(
        {},
        {"url": "https://api.example.com/x?apiKey=APIKEYHERE"},
        "HARDCODED_CREDENTIAL",
        id="key-in-the-url-query",
    ),
    pytest.param({}, {"url": "https://api.coinpaprika.com/v1/tickers"}, None, id="public-get"),
    pytest.param(
        {"credentials": {"httpHeaderAuth": {"id": "1"}}},
        {"url": "https://api.example.com/x", "authentication": "genericCredentialType"},
        "NO_VAULT_REFERENCE",
        id="authenticated-get",
    ),
]


@pytest.mark.parametrize(("fields", "parameters", "code"), CREDENTIALS)
def test_when_a_node_gets_its_credential_somewhere_then_that_decides_the_finding(
    analyzer: Analyzer, fields: dict[str, Any], parameters: dict[str, Any], code: str | None
) -> None:
    kind = "slack" if "slackApi" in str(fields) else "httpRequest"
    call = {**node("Call", kind, **parameters), **fields}
    write = node("Post", "twilio", operation="send")
    report = analyzer.analyze(export(HOOK, call, write, connections=chain("Hook", "Call", "Post")))
    found = {f.code for f in report.findings if f.service == report.steps[1].services[0]}
    credential = found & {"NO_VAULT_REFERENCE", "HARDCODED_CREDENTIAL", "NO_ROTATION"}
    assert credential == ({code} if code else set())
    assert report.redactions == 0


def test_when_a_set_node_holds_the_key_a_header_sends_then_the_call_is_hard_coded(
    analyzer: Analyzer,
) -> None:
    keys = node(
        "Keys",
        "set",
        version=3.4,
        assignments={"assignments": [{"name": "beehiivAPI", "value": "yourAPIkey"}]},
    )
    post = node(
        "Subscribe",
        "httpRequest",
        method="POST",
        url="https://api.beehiiv.com/v2/subs",
        headerParameters={
            "parameters": [
                {"name": "Authorization", "value": "=Bearer {{ $('Keys').item.json.beehiivAPI }}"}
            ]
        },
    )
    report = analyzer.analyze(
        export(HOOK, keys, post, connections=chain("Hook", "Keys", "Subscribe"))
    )
    [finding] = [f for f in report.findings if f.code == "HARDCODED_CREDENTIAL"]
    assert finding.evidence[-1].pointer == "/nodes/1/parameters/assignments/assignments/0/value"
