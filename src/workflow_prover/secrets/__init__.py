"""Literal secrets (rubric 2.4, `SECRET_IN_TEXT`): find them, redact them, map offsets back.

The scanner runs before anything else reads a text, so no later stage, log or store ever sees a
secret: `SecretScanner.redact(text)` gives a `Redaction` whose `text` every other stage reads.
"""

from workflow_prover.secrets.literals import prefix_literals, required_literals
from workflow_prover.secrets.redaction import Redaction, SecretMatch, placeholder
from workflow_prover.secrets.scanner import PLACEHOLDER_RULE, SecretScanner, load_secret_rows

__all__ = [
    "PLACEHOLDER_RULE",
    "Redaction",
    "SecretMatch",
    "SecretScanner",
    "load_secret_rows",
    "placeholder",
    "prefix_literals",
    "required_literals",
]
