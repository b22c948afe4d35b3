"""The schema readers' vocabulary, from the lexicons: key names, value words, node defaults.

Built once per Analyzer (with the `ServiceResolver`). Keys and words are compared once reduced
to lower-case letters and digits, so `maxAttempts`, `max_attempts` and `Max-Attempts` are one
key; a comment is read word by word and as a whole (`# not designed yet` is `notdesignedyet`).
"""

from __future__ import annotations

import re

from workflow_prover.lexicon.loader import Lexicons
from workflow_prover.lexicon.schema import NodeDefaultRow

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[a-z0-9]+")
# Words after which a key's words are a complement, not its head (`alert_on_failure`).
_PREPOSITIONS = frozenset(
    ("on", "if", "when", "after", "before", "for", "per", "to", "in", "upon", "at", "by", "of")
)
# Value words that name a claim as a whole value, never as one word of a sentence.
_AMBIGUOUS = frozenset(("no", "n", "na", "pass", "full", "role", "env", "log", "page", "stop"))


def reduce(text: str) -> str:
    """`Max-Attempts` -> `maxattempts`; `retry_policy.$` -> `retrypolicy`."""
    return _NON_ALNUM.sub("", text.lower())


class Vocabulary:
    def __init__(self, lexicons: Lexicons) -> None:
        self._roles: dict[str, tuple[str, str]] = {}  # key -> (role, mechanism kind or "")
        self._values: dict[str, str] = {}  # value word -> claim
        self._comments: dict[str, str] = {}  # comment word -> modality
        for row in lexicons.schema_keys:
            for word in row.words:
                if row.role == "value" and row.claim is not None:
                    self._values.setdefault(word, row.claim)
                elif row.role == "comment" and row.modality is not None:
                    self._comments.setdefault(word, row.modality)
                else:
                    self._roles.setdefault(word, (row.role, row.kind or ""))
        self._nodes: dict[str, list[NodeDefaultRow]] = {}
        for node in lexicons.n8n_nodes:
            self._nodes.setdefault(node.node, []).append(node)

    def role(self, key: str) -> tuple[str, str] | None:
        """What a key is: ("step_list" | "service" | ... | "mechanism", its mechanism kind).

        A key that is a mechanism key and a word more is that mechanism (`dead_letter_table`,
        `retry_delay_ms`): its words' longest start that is a mechanism key names it. A
        compound's head is its last part, as in English: `retry_dlq_enabled` is a DLQ (for the
        retries), `secret_rotation_days` a rotation; a preposition ends the head's search, for
        what follows it is a complement (`max_attempts_before_dlq`, `retry_on_timeout`)."""
        found = self._roles.get(reduce(key))
        if found is not None:
            return found
        words = _WORD.findall(key.lower().replace("_", " ").replace("-", " "))
        head = self._mechanism_at(words, 0)
        i = head[0] if head else len(words)
        while i < len(words) and words[i] not in _PREPOSITIONS:
            later = self._mechanism_at(words, i)
            if later is not None:
                head = later
            i = later[0] if later is not None else i + 1
        return head[1] if head else None

    def _mechanism_at(self, words: list[str], i: int) -> tuple[int, tuple[str, str]] | None:
        """The longest run of words from `i` that is a mechanism key (short of the whole key):
        where it ends, and its role."""
        for n in range(len(words) - 1 - i if i == 0 else len(words) - i, 0, -1):
            found = self._roles.get("".join(words[i : i + n]))
            if found is not None and found[0] == "mechanism":
                return i + n, found
        return None

    def mechanism(self, key: str) -> str | None:
        found = self.role(key)
        return found[1] if found and found[0] == "mechanism" else None

    def claim_of(self, value: str) -> str | None:
        """The claim a value names (`exponential`, `dead_letter`, `vault`), as a whole or by
        its first word that names one (`"push to the dlq"` -> terminal_path)."""
        whole = self._values.get(reduce(value))
        if whole is not None:
            return whole
        words = _WORD.findall(value.lower())
        for i, word in enumerate(words):
            for n in (3, 2):  # `parking lot`, `secrets manager`, `aws secrets manager`
                joined = "".join(words[i : i + n])
                if len(words[i : i + n]) == n and joined in self._values:
                    return self._values[joined]
            if word in self._values and word not in _AMBIGUOUS:
                return self._values[word]
        return None

    def comment_modality(self, comment: str) -> str | None:
        """`# TODO`, `# later`, `# not designed yet` -> planned; `# none` -> negated."""
        words = _WORD.findall(comment.lower())
        joined = "".join(words)
        for word in (joined, *words):
            if word in self._comments:
                return self._comments[word]
        for word, modality in self._comments.items():
            if len(word) >= 5 and word in joined:
                return modality
        return None

    def node_defaults(self, node: str, version: float) -> NodeDefaultRow | None:
        """The defaults of an n8n node type (its last part) at a typeVersion."""
        rows = [r for r in self._nodes.get(node, []) if r.since <= version]
        return max(rows, key=lambda r: r.since) if rows else None
