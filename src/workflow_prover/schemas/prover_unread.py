"""The keys of a Prover-schema document that the schema does not define: reported, not dropped.

A document in the Prover's format often carries keys of its author's own (`on_failure`,
`dead_letter`, `secrets`, `retry_policy`). Each is reported (`SCHEMA_KEY_UNREAD`, with its
pointer) and read by its name as the lenient reader reads it (`keys`), on the step it is in
(every step at the top or under `defaults`); a sentence given as its value is read by the prose
reader for its claims. `x-` keys are the schema's extensions and are ignored, as it says.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from workflow_prover.schemas.keys import KeyReader, sentence
from workflow_prover.schemas.model import Collector, SchemaClaim, pointer
from workflow_prover.schemas.vocabulary import Vocabulary

Scope = tuple[str, ...] | None


@cache
def _known() -> dict[str, frozenset[str]]:
    """Each object of the schema ('', 'step', 'mechanisms', 'retry'...) -> the keys it defines."""
    from workflow_prover.schemas.prover import prover_json_schema  # the one copy of the schema

    schema = prover_json_schema()
    out = {"": frozenset(schema["properties"])}
    for name, definition in schema["$defs"].items():
        if "properties" in definition:
            out[name] = frozenset(definition["properties"])
        for option in definition.get("oneOf", []):
            if isinstance(option, dict) and "properties" in option:
                out[name] = frozenset(option["properties"])
    return out


def _objects(
    doc: dict[str, Any], steps: dict[str, str]
) -> Iterator[tuple[str, str, object, Scope]]:
    """(definition, pointer, the object, scope) for every object the schema defines keys of."""
    yield "", "", doc, None
    if isinstance(doc.get("trigger"), dict):
        yield "trigger", "/trigger", doc["trigger"], None
    if isinstance(doc.get("defaults"), dict):
        yield "mechanisms", "/defaults", doc["defaults"], None
        yield from _mechanisms(doc["defaults"], "/defaults", None)
    for i, step in enumerate(doc.get("steps") or []):
        here = pointer("steps", i)
        if isinstance(step, dict) and here in steps:
            scope = (steps[here],)
            yield "step", here, step, scope
            yield from _mechanisms(step, here, scope)


def _mechanisms(
    where: dict[str, Any], at: str, scope: Scope
) -> Iterator[tuple[str, str, object, Scope]]:
    for name in ("retry", "rate_limit", "error_path", "credentials", "idempotency_key"):
        if isinstance(where.get(name), dict):
            yield name, f"{at}/{name}", where[name], scope


def read_unread(
    c: Collector, vocabulary: Vocabulary, doc: dict[str, Any], steps: dict[str, str]
) -> None:
    """Report and read leniently every key the schema does not define. `steps`: pointer of a
    step -> its identity."""
    known = _known()
    for definition, at, value, scope in _objects(doc, steps):
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if str(key).startswith("x-") or str(key) in known.get(definition, frozenset()):
                continue
            here = f"{at}/{pointer(str(key))[1:]}"
            reader = KeyReader(c, vocabulary, "schema.prover.unread")
            before = len(c.claims)
            kind = vocabulary.mechanism(str(key))
            if kind is not None:
                reader.mechanism(kind, item, here, scope)
            elif isinstance(item, dict):
                reader.mapping(item, here, scope)
            read = {_said(c.claims[i]) for i in range(before, len(c.claims))}
            for prose in reader.prose + ([here] if sentence(item) and not reader.prose else []):
                c.read_as_prose(prose, member=True)
            c.issue(here, _message(str(key), read), "SCHEMA_KEY_UNREAD")


def _said(claim: SchemaClaim) -> str:
    kind = claim.kind.value
    return kind if claim.modality == "asserted" else f"{kind} ({claim.modality})"


def _message(key: str, read: set[str]) -> str:
    name = key[:40]
    if read:
        kinds = ", ".join(sorted(read))
        return f"{name!r} is not part of the Prover's schema; read by its name as {kinds}"
    return f"{name!r} is not part of the Prover's schema and says nothing the Prover reads"
