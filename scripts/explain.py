"""Debug aid: show steps, claims and findings for fixture cases by id (or text on stdin)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from workflow_prover.analyzer import Analyzer


def show(analyzer: Analyzer, turns: list[str]) -> None:
    report = analyzer.analyze_turns(turns)
    print("VERDICT", report.verdict.value)
    for s in report.steps:
        inbound = " inbound" if s.inbound else ""
        print(f"  step {s.index} {s.action}{inbound} {s.services} :: {s.text!r}")
    for c in report.claims:
        ev = c.evidence[0]
        cue = f" cue={ev.cue.text!r}" if ev.cue else ""
        scope = f"{c.scope.target.value}:{c.scope.steps or ''}{c.scope.services or ''}"
        print(f"  claim {c.kind.value:20} {c.modality:9} {scope} :: {ev.text!r} [{ev.rule}]{cue}")
    for f in report.findings:
        print(f"  {f.severity:7} {f.code:26} step={f.step} svc={f.service} :: {f.message}")
    print("  MESSAGE:", report.message)


def main() -> None:
    analyzer = Analyzer()
    ids = sys.argv[1:]
    if not ids:
        show(analyzer, [sys.stdin.read()])
        return
    for path in sorted(Path("fixtures").rglob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row["id"] in ids:
                verdict = row.get("verdict") or [t["verdict"] for t in row["turns"]]
                print("=" * 20, row["id"], verdict)
                turns = [t["text"] for t in row["turns"]] if "turns" in row else [row["text"]]
                print(turns[-1][:600])
                show(analyzer, turns)


if __name__ == "__main__":
    main()
