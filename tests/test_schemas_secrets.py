"""Credentials written into real definitions: found, redacted, and never a placeholder.

Values are written in two pieces so this file does not look like it leaks credentials.
"""

from __future__ import annotations

import json

import pytest

from workflow_prover.analyzer import Analyzer


def _pair(name: str, value: str) -> str:
    """An n8n Set node assigning `value` to the field `name` (a name/value pair)."""
    node = {
        "name": "Set",
        "type": "n8n-nodes-base.set",
        "parameters": {"values": {"string": [{"name": name, "value": value}]}},
    }
    return json.dumps({"nodes": [node], "connections": {}}, indent=2)


SHORT_KEYS = [
    pytest.param("apiKey", "n8n-" + "secret-keey", id="sample-key-with-a-digit"),
    pytest.param("token", "t0k3n" + "-x9a", id="short-token"),
    pytest.param("X-Api-Key", "ab12" + "cd34ef", id="header-name"),
]


@pytest.mark.parametrize(("name", "value"), SHORT_KEYS)
def test_when_a_name_value_pair_names_a_credential_then_even_a_short_value_is_redacted(
    analyzer: Analyzer, name: str, value: str
) -> None:
    report = analyzer.analyze(_pair(name, value))
    assert report.redactions == 1
    assert value not in report.model_dump_json()


NOT_SECRETS = [
    pytest.param("apiKey", "yourAPIkey", id="placeholder-words"),
    pytest.param("apiKey", "APIKEYHERE", id="placeholder-capitals"),
    pytest.param("apiKey", "={{ $credentials.key }}", id="credential-reference"),
    pytest.param("customer_id", "cus" + "-2024-ab", id="not-a-credential-name"),
]


@pytest.mark.parametrize(("name", "value"), NOT_SECRETS)
def test_when_a_pair_holds_a_placeholder_or_no_credential_then_nothing_is_redacted(
    analyzer: Analyzer, name: str, value: str
) -> None:
    assert analyzer.analyze(_pair(name, value)).redactions == 0
