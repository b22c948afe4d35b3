"""Structured inputs: the Prover's own workflow schema, AWS Step Functions (ASL), SAM /
CloudFormation / Serverless templates, n8n exports, any JSON/YAML sketch with a step list
(`lenient`), and Python code (`code`).

Pure Python (json and `yaml.safe_load`'s loader; no spaCy). `read_structured` finds the JSON
and YAML in a text (the whole text, or fenced blocks inside prose), parses each with the
location of every element, and hands it to the first reader that recognises its format. A
recognised block becomes `SchemaDoc`s (steps, claims, issues, all located by JSON pointer
and character offsets) and is hidden from the prose reader; a template gives one document per
state machine, each a workflow of its own (`SchemaDoc.workflow`). A block of an unknown shape
is left to the prose reader, as before. A declared block (```json, ```yaml, or a whole text
that starts like JSON) that does not parse is reported with its line and column and read as
prose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workflow_prover.schemas import asl, code, lenient, n8n, prover, templates
from workflow_prover.schemas.detect import (
    Block,
    Parsed,
    ParseError,
    Syntax,
    find_blocks,
    line_column,
    parse_block,
)
from workflow_prover.schemas.model import (
    ProseSpan,
    SchemaClaim,
    SchemaDoc,
    SchemaIssue,
    SchemaStep,
    Span,
)
from workflow_prover.schemas.prose import holes, unescape
from workflow_prover.schemas.prover import (
    SCHEMA_ID,
    SCHEMA_URI,
    prover_json_schema,
    prover_schema_text,
)
from workflow_prover.schemas.services import ServiceResolver
from workflow_prover.schemas.templates import FileLoader

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_URI",
    "Block",
    "FileLoader",
    "ParseError",
    "Parsed",
    "ProseSpan",
    "SchemaClaim",
    "SchemaDoc",
    "SchemaIssue",
    "SchemaStep",
    "ServiceResolver",
    "Span",
    "Structured",
    "Syntax",
    "find_blocks",
    "line_column",
    "parse_block",
    "prover_json_schema",
    "prover_schema_text",
    "read_structured",
    "unescape",
    "whole_text_error",
]

Reader = Callable[[Parsed, ServiceResolver], SchemaDoc | None]
READERS: tuple[Reader, ...] = (prover.read, asl.read, n8n.read, lenient.read)


@dataclass(frozen=True, slots=True)
class Structured:
    """What the structured reading of one text found."""

    docs: tuple[SchemaDoc, ...] = ()
    errors: tuple[ParseError, ...] = ()

    @property
    def hidden(self) -> tuple[tuple[int, int], ...]:
        """Spans the prose reader must not read: the recognised blocks (fences included) but
        the spans inside them it reads for their claims (`prose`)."""
        blocks = dict.fromkeys(doc.hidden for doc in self.docs)
        return tuple(holes(list(blocks), [(p.start, p.end) for p in self.prose]))

    @property
    def prose(self) -> tuple[ProseSpan, ...]:
        """Spans inside the recognised blocks the prose reader reads."""
        return tuple(sorted(dict.fromkeys(p for doc in self.docs for p in doc.prose)))

    @property
    def workflows(self) -> tuple[str, ...]:
        """The workflows of a text that holds several (a template's state machines), else ()."""
        names = tuple(dict.fromkeys(doc.workflow for doc in self.docs if doc.workflow))
        return names if len(names) > 1 else ()


def read_structured(
    text: str,
    resolver: ServiceResolver,
    hint: Syntax | None = None,
    *,
    workflow: str | None = None,
    files: FileLoader | None = None,
) -> Structured:
    """The documents of `text`; with `workflow`, only that one of a template's workflows.

    `files` reads a file a template refers to (`DefinitionUri`); without it none is read.
    """
    docs: list[SchemaDoc] = []
    errors: list[ParseError] = []
    for block in find_blocks(text, hint):
        parsed = parse_block(text, block)
        if isinstance(parsed, ParseError):
            if block.declared:
                errors.append(parsed)
            continue
        docs += _read_block(parsed, resolver, files)
    whole = any(d.hidden == (0, len(text)) for d in docs)
    for block in [] if whole or hint is not None else code.find_code(text):
        found = code.read(text, block, resolver)
        docs += [found] if found is not None else []
    if workflow is not None:
        docs = [doc for doc in docs if doc.workflow in (workflow, "")]
    return Structured(tuple(docs), tuple(errors))


def _read_block(
    parsed: Parsed, resolver: ServiceResolver, files: FileLoader | None
) -> tuple[SchemaDoc, ...]:
    found = templates.read(parsed, resolver, files)
    if found is not None:
        return found
    for reader in READERS:
        doc = reader(parsed, resolver)
        if doc is not None:
            return (doc,)
    return ()


def whole_text_error(text: str, hint: Syntax | None = None) -> ParseError | None:
    """Why a whole-text JSON (or YAML, with `hint`) document does not parse, or None.

    Only a document that is JSON/YAML as a whole, and declared so (it starts like JSON, or its
    file name says so), can be wrong as a whole; a fenced block inside prose never is.
    """
    blocks = find_blocks(text, hint)
    if len(blocks) != 1 or not blocks[0].whole or not blocks[0].declared:
        return None
    if not text.strip():
        return None
    parsed = parse_block(text, blocks[0])
    return parsed if isinstance(parsed, ParseError) else None
