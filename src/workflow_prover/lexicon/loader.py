"""Find and load the lexicons, validating every row.

The lexicons live at the repository's top level (`lexicons/`) and are shipped inside the wheel
as `workflow_prover/lexicons`. An installed package finds its own copy; a source checkout (an
editable install, or tests run with `PYTHONPATH=src`) finds the top-level folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from workflow_prover.lexicon.schema import (
    CategoryRow,
    ConfusableRow,
    ContextRow,
    CredentialLabelRow,
    CueRow,
    NodeDefaultRow,
    SchemaKeyRow,
    SecretRow,
    SectionRow,
    ServiceRow,
    TermRow,
    VerbRow,
    WordRow,
)

RowT = TypeVar("RowT", bound=BaseModel)

FILES: dict[str, type[BaseModel]] = {
    "categories.jsonl": CategoryRow,
    "services.jsonl": ServiceRow,
    "verbs.jsonl": VerbRow,
    "cues.jsonl": CueRow,
    "context.jsonl": ContextRow,
    "terms.jsonl": TermRow,
    "secrets.jsonl": SecretRow,
    "credential_labels.jsonl": CredentialLabelRow,
    "confusables.jsonl": ConfusableRow,
    "schema_keys.jsonl": SchemaKeyRow,
    "n8n_nodes.jsonl": NodeDefaultRow,
    "sections.jsonl": SectionRow,
    "words.jsonl": WordRow,
}


class LexiconError(ValueError):
    """A lexicon file is missing or a row does not validate (names file and line)."""


def lexicon_dir() -> Path:
    """The folder holding the lexicons: the package's copy first, then the source tree's."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "lexicons", here.parent.parent / "lexicons"):
        if (candidate / "services.jsonl").is_file():
            return candidate
    raise LexiconError(f"no lexicons found next to {here}")


def load_rows(path: Path, model: type[RowT]) -> list[RowT]:
    """Parse one JSONL lexicon; blank lines and `//` comment lines are skipped."""
    rows: list[RowT] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read ({exc.strerror})") from exc
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            row = model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0:3]
            raise LexiconError(f"{path.name}:{number}: {' '.join(first)}") from exc
        row_id = str(getattr(row, "id", ""))
        if row_id in seen:
            raise LexiconError(f"{path.name}:{number}: duplicate id {row_id!r}")
        seen.add(row_id)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Lexicons:
    """Every validated lexicon, loaded once per pipeline."""

    categories: tuple[CategoryRow, ...]
    services: tuple[ServiceRow, ...]
    verbs: tuple[VerbRow, ...]
    cues: tuple[CueRow, ...]
    context: tuple[ContextRow, ...]
    terms: tuple[TermRow, ...]
    secrets: tuple[SecretRow, ...]
    credential_labels: tuple[CredentialLabelRow, ...]
    confusables: tuple[ConfusableRow, ...]
    sections: tuple[SectionRow, ...]
    schema_keys: tuple[SchemaKeyRow, ...] = ()  # ad-hoc JSON/YAML and code (schemas/lenient)
    n8n_nodes: tuple[NodeDefaultRow, ...] = ()  # n8n nodes' default resource and operation
    words: tuple[WordRow, ...] = ()  # word classes the extractors read (lexicon/words.py)


def load_lexicons(directory: Path | None = None) -> Lexicons:
    """Load and cross-check all lexicons (every service's category must exist)."""
    base = directory or lexicon_dir()
    lex = Lexicons(
        categories=tuple(load_rows(base / "categories.jsonl", CategoryRow)),
        services=tuple(load_rows(base / "services.jsonl", ServiceRow)),
        verbs=tuple(load_rows(base / "verbs.jsonl", VerbRow)),
        cues=tuple(load_rows(base / "cues.jsonl", CueRow)),
        context=tuple(load_rows(base / "context.jsonl", ContextRow)),
        terms=tuple(load_rows(base / "terms.jsonl", TermRow)),
        secrets=tuple(load_rows(base / "secrets.jsonl", SecretRow)),
        credential_labels=tuple(load_rows(base / "credential_labels.jsonl", CredentialLabelRow)),
        confusables=tuple(load_rows(base / "confusables.jsonl", ConfusableRow)),
        schema_keys=tuple(load_rows(base / "schema_keys.jsonl", SchemaKeyRow)),
        n8n_nodes=tuple(load_rows(base / "n8n_nodes.jsonl", NodeDefaultRow)),
        sections=tuple(load_rows(base / "sections.jsonl", SectionRow)),
        words=tuple(load_rows(base / "words.jsonl", WordRow)),
    )
    known = {row.name for row in lex.categories}
    for service in lex.services:
        if service.category not in known:
            raise LexiconError(
                f"services.jsonl: {service.id} has unknown category {service.category!r}"
            )
    for term in lex.terms:
        if term.label == "STEP_KIND":
            if term.category not in ("write", "read", "inbound"):
                raise LexiconError(f"terms.jsonl: {term.id} has unknown step kind")
            continue  # its category is the kind of step, not a service's
        if term.category is not None and term.category not in known:
            raise LexiconError(f"terms.jsonl: {term.id} has unknown category {term.category!r}")
    _unique("context.jsonl", ((r.id, (r.label, r.pattern, r.direction)) for r in lex.context))
    _unique("cues.jsonl", ((r.id, (r.label, r.pattern)) for r in lex.cues))
    _unique("terms.jsonl", ((r.id, (r.label, r.pattern)) for r in lex.terms))
    return lex


def _unique(name: str, rows: Iterable[tuple[str, object]]) -> None:
    """Two rows that match the same words the same way are one rule under two ids: which
    one a match names would depend on the order of matching (evidence must be stable)."""
    seen: dict[str, str] = {}
    for row_id, key in rows:
        text = json.dumps(key, sort_keys=True, default=str)
        if text in seen:
            raise LexiconError(f"{name}: {row_id} repeats {seen[text]} (same label and pattern)")
        seen[text] = row_id
