"""Write docs/rules/ from the rule tables: one page per code and the index.

    PYTHONPATH=src python scripts/rules_docs.py

tests/test_rules.py fails while the files differ from what `workflow-prover explain` prints.
"""

from __future__ import annotations

from pathlib import Path

from workflow_prover.rules.book import rule_book
from workflow_prover.rules.docs import DOCS_DIR, doc_files


def main() -> None:
    root = Path(__file__).resolve().parent.parent / DOCS_DIR
    root.mkdir(parents=True, exist_ok=True)
    pages = doc_files(rule_book())
    for stale in root.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} files to {root}")


if __name__ == "__main__":
    main()
