"""The JSON Schema of the Report: what `check --format json` prints for one input, and what the
MCP tool's structured output holds (its output schema is this one plus the session's fields).
Generated from the pydantic model, so it cannot drift from the report."""

from __future__ import annotations

import json
from typing import Any

from workflow_prover.models import REPORT_SCHEMA_VERSION, Report

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$comment": f"workflow-prover report, schema_version {REPORT_SCHEMA_VERSION}",
    }
    schema.update(Report.model_json_schema(mode="serialization"))
    return schema


def report_schema_text() -> str:
    return json.dumps(report_schema(), indent=2) + "\n"
