"""Benchmarks: `make bench` prints figures (no assertions; numbers depend on the machine).

- build: time to load the lexicons and build the pipeline (once per process);
- per-text latency of `Analyzer.analyze` over the dev set, and for ~150-word texts;
- the same dev set with spaCy's tokenizer cache emptied before each run: the bench repeats
  every text, and spaCy remembers how it split each whitespace chunk it has seen (up to a
  text's first special case), so the first figure flatters the tokenizer; a text a server
  has not seen before costs what this one says (the typo corrector stays warm in both);
- a three-turn session through `analyze_turns`.

It says first whether the compiled modules are in use (`make setup`; about twice as fast).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    rows = [
        json.loads(line)
        for line in (ROOT / "fixtures" / "dev.jsonl").read_text().splitlines()
        if line.strip()
    ]
    return [r["text"] for r in rows if "text" in r]


def _measure(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    start = time.perf_counter()
    from workflow_prover.analyzer import Analyzer

    imported = time.perf_counter()
    analyzer = Analyzer()
    built = time.perf_counter()
    print(f"import: {(imported - start) * 1000:.0f} ms, build: {(built - imported) * 1000:.0f} ms")
    print(f"compiled modules (mypyc): {_compiled()}")

    texts = _texts()
    for text in texts:  # warm caches (typo corrector, tokenizer)
        analyzer.analyze(text)
    per_text = []
    words = []
    for text in texts:
        per_text.append(statistics.median(_measure(lambda t=text: analyzer.analyze(t), 7)))
        words.append(len(text.split()))
    total_ms, total_words = sum(per_text), sum(words)
    print(
        f"dev set: {len(texts)} texts, median {statistics.median(per_text):.2f} ms, "
        f"p95 {sorted(per_text)[int(len(per_text) * 0.95)]:.2f} ms, "
        f"max {max(per_text):.2f} ms, {total_ms / total_words * 150:.2f} ms per 150 words"
    )
    near = [t for t, w in zip(per_text, words, strict=True) if 120 <= w <= 180]
    if near:
        print(f"120-180-word texts: {len(near)}, median {statistics.median(near):.2f} ms")
    _unseen(analyzer, texts, words)
    turns = [texts[12], texts[19], texts[30]]
    session = _measure(lambda: analyzer.analyze_turns(turns), 20)
    print(f"3-turn session: median {statistics.median(session):.2f} ms")


def _compiled() -> str:
    from workflow_prover import compiled

    if compiled.in_use():
        return f"in use, {len(compiled.compiled_modules())} modules"
    return "not in use, pure Python (`make setup` builds them)"


def _unseen(analyzer: Any, texts: list[str], words: list[int]) -> None:
    """The dev set again, each run with spaCy's chunk cache emptied first (not timed)."""
    flush = getattr(analyzer.pipeline.nlp.tokenizer, "_flush_cache", None)
    if flush is None:  # a spaCy without it: nothing to report
        return

    def run(text: str) -> float:
        flush()
        start = time.perf_counter()
        analyzer.analyze(text)
        return (time.perf_counter() - start) * 1000

    per_text = [statistics.median(run(text) for _ in range(7)) for text in texts]
    near = [t for t, w in zip(per_text, words, strict=True) if 120 <= w <= 180]
    print(
        f"dev set, tokenizer cache emptied: median {statistics.median(per_text):.2f} ms, "
        f"p95 {sorted(per_text)[int(len(per_text) * 0.95)]:.2f} ms"
        + (f", 120-180-word texts: median {statistics.median(near):.2f} ms" if near else "")
    )


if __name__ == "__main__":
    main()
