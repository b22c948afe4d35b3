"""Copy each fixture document into its labelled cases: `fixtures/schemas.jsonl` and
`fixtures/real/labels.jsonl`.

These labelled cases are in the dev set's format, so `make eval` measures them; their `text` is
the content of the file named by `source` (relative to `fixtures/`), for a case or for each turn
of a conversation. Edit the documents under `fixtures/schemas/` or `fixtures/real/files/`, then
run `python scripts/sync_schema_cases.py` (a test checks they agree).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = (FIXTURES / "schemas.jsonl", FIXTURES / "real" / "labels.jsonl")


def synced(row: dict[str, object]) -> dict[str, object]:
    for item in [row, *row.get("turns", [])]:  # type: ignore[list-item]
        if isinstance(item, dict) and "source" in item:
            item["text"] = (FIXTURES / str(item["source"])).read_text(encoding="utf-8")
    return row


def main() -> int:
    for path in CASES:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        lines = [json.dumps(synced(row), ensure_ascii=False) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{path.relative_to(FIXTURES.parent)}: {len(rows)} cases synced", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
