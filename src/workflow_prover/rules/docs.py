"""What `workflow-prover rules` and `explain CODE` print, and the files of `docs/rules/`.

One source: the rule tables (`rules.book`) rendered through this package's templates, so the
command line, the generated documentation and SARIF's `helpUri` say the same thing.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict

from workflow_prover.rules.book import RuleBook
from workflow_prover.rules.links import help_uri

DOCS_DIR = Path("docs") / "rules"
INDEX = "README.md"


class RuleSummary(BaseModel):
    """One line of `workflow-prover rules`: a finding code (its check) or a note code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    check: str  # a check id, or "document" for a note about the document itself
    severity: str  # blocker | warning for a finding; warning | note for a note
    title: str
    help_uri: str


class UnknownCode(LookupError):
    """`explain` was given a code that is neither a finding code nor a note code."""


def summaries(book: RuleBook) -> list[RuleSummary]:
    rows = [
        RuleSummary(
            code=c.code,
            check=c.check.value,
            severity=c.severity,
            title=c.title,
            help_uri=help_uri(c.code),
        )
        for c in book.codes.values()
    ]
    rows += [
        RuleSummary(
            code=n.code,
            check="document",
            severity=n.level,
            title=n.title,
            help_uri=help_uri(n.code),
        )
        for n in book.notes.values()
    ]
    return rows


def rules_json(book: RuleBook) -> str:
    return json.dumps([r.model_dump() for r in summaries(book)], indent=2) + "\n"


def rules_table(book: RuleBook) -> str:
    """Aligned columns: code, check, severity, title."""
    rows = [("CODE", "CHECK", "SEVERITY", "TITLE")]
    rows += [(r.code, r.check, r.severity, r.title) for r in summaries(book)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + f"  {row[3]}\n"
        for row in rows
    )


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("workflow_prover.rules", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def explain(book: RuleBook, code: str) -> str:
    """The Markdown page of one code (what `explain CODE` prints and `docs/rules/CODE.md` is)."""
    key = code.strip().upper()
    template = _env().get_template("explain.md.j2")
    if key in book.codes:
        return template.render(r=book.codes[key], note=False)
    if key in book.notes:
        return template.render(r=book.notes[key], note=True)
    raise UnknownCode(key)


def doc_files(book: RuleBook) -> dict[str, str]:
    """Every file of `docs/rules/`: one page per code, and the index."""
    pages = {f"{code}.md": explain(book, code) for code in [*book.codes, *book.notes]}
    pages[INDEX] = _env().get_template("index.md.j2").render(rows=summaries(book))
    return pages
