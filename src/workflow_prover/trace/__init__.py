"""`trace`: every stage of the reading of one text, each line with the id that decided it.

A maintainer's view of why the Prover read a text as it did (`workflow-prover trace FILE`):
tokens, lexicon mentions, blocks and sections, clauses and their frames, steps, claims and
findings. It reads the text exactly as the analyzer does (redacted, then normalised), so it
never shows a secret.
"""

from workflow_prover.trace.build import build_trace
from workflow_prover.trace.model import Trace
from workflow_prover.trace.render import render_trace

__all__ = ["Trace", "build_trace", "render_trace"]
