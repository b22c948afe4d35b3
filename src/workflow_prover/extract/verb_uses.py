"""Verb-shaped words that are no action of the workflow, told by the words around them.

Each reads one use and names it in its docstring; `TextView.verbal` asks them all (after the
spelling rules of `layout.verbs`) through `not_an_action`:

- a step's setting in the passive ("the Airtable node is set to 'Continue On Fail'");
- a key carried into another record's field ("puts the invoice ID in the bill's reference");
- code a change builds ("Adds `postcard-svc`");
- a credential made ("Create a restricted API key from your Stripe dashboard");
- a noun's reduced relative clause ("Requests submitted on the webform arrive as ...").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workflow_prover.annotate.types import Group, Mention, Tok
from workflow_prover.extract.layout.grammar import AUXILIARIES, PREPOSITIONS, SUBJECT_PRONOUNS
from workflow_prover.extract.layout.verbs import verb_form

if TYPE_CHECKING:
    from workflow_prover.extract.reading import TextView

_AUTH_NOUNS = frozenset(("key", "keys", "token", "tokens", "secret", "secrets", "password", "pat"))


def not_an_action(view: TextView, verb: Mention) -> bool:
    """Is the verb-shaped word one of the uses below, so no action of its own?"""
    return any(use(view, verb) for use in USES)


def step_setting(view: TextView, verb: Mention) -> bool:
    """'The Airtable node is set to ...', 'each step is switched to ...': a setting word
    in the passive, with 'to' after it, whose subject is a step noun (node, step, task)
    configures that step; it is no action of its own."""
    toks, s = view.toks, verb.start
    return (
        toks[s].norm in view.catalog.words.setting_word
        and verb.end < len(toks)
        and toks[verb.end].norm == "to"
        and s >= 2
        and toks[s - 1].norm in ("is", "are", "was", "were")
        and s - 2 in view.term_starts("GENERAL_NOUN")
    )


def carries_key(view: TextView, verb: Mention) -> bool:
    """'It also puts the invoice ID in the bill's reference', 'stamps the order number
    into the memo field': a carrying verb whose object is an identifier and whose target
    is a field of a record (another's, by a possessive) says what key a write carries;
    it is no write of its own."""
    toks, words = view.toks, view.catalog.words
    if toks[verb.start].norm not in words.carry_verb:
        return False
    ids = view.term_starts("ID_NOUN")
    end = view.clause(view.lay.clause_of[verb.start]).end
    into = next(
        (k for k in range(verb.end, end) if toks[k].norm in ("in", "into", "as", "on")), None
    )
    if into is None or not any(
        k in ids or toks[k].norm in ("id", "ids") for k in range(verb.end, into)
    ):
        return False
    if into + 1 < end and toks[into + 1].norm in ("it", "them") and _key_said_before(view, verb):
        return True  # "takes an `Idempotency-Key` header and we send the order id in it"
    k = into + 1
    while k < end and (toks[k].text[:1].isalnum() or toks[k].norm in ("'s", "’s")):
        k += 1
    head = k - 1
    possessive = any(toks[j].norm in ("'s", "’s", "its") for j in range(into + 1, k))
    if (
        toks[into].norm == "as"
        and not any(t.norm in PREPOSITIONS for t in toks[verb.end : into])
        and _names_a_key(toks, into + 1, end)
    ):
        # "we send the object generation id as `X-Request-Key`": the id sent is the key
        # ("send an SMS through Plivo with the id as the dedup key" sends the SMS)
        return True
    return head > into and possessive and (head in ids or toks[head].norm in words.key_field)


def _names_a_key(toks: list[Tok], lo: int, hi: int) -> bool:
    """Does a name for a key or a header follow ('`X-Request-Key`', 'the Idempotency-Key
    header', 'its dedupe key')? Its last word, up to the phrase's end, says so."""
    k = lo
    while k < hi and (toks[k].text[:1].isalnum() or toks[k].text in ("`", "-", "_")):
        k += 1
    words = [t.norm for t in toks[lo:k] if t.text[:1].isalnum()]
    return bool(words) and words[-1] in ("key", "header", "token")


def _key_said_before(view: TextView, verb: Mention) -> bool:
    """Does the verb's sentence name an idempotency key before it (what 'it' stands for)?"""
    lo, _ = view.lay.sentences[view.lay.sentence_of[verb.start]]
    return any(
        c.label == "idempotency" and lo <= c.start < verb.start for c in view.ann.of(Group.CUE)
    )


def builds_code(view: TextView, verb: Mention) -> bool:
    """'Adds `postcard-svc`.', 'Introduces `recon/payouts.py` and `config/recon.yaml`': a
    change description that opens its clause with a building verb and names code in
    backticks, with no target after it, acts on no system of the workflow."""
    toks, words = view.toks, view.catalog.words
    clause = view.clause(view.lay.clause_of[verb.start])
    lead = clause.start
    while lead < verb.start and not toks[lead].text[:1].isalnum():
        lead += 1
    return (
        lead == verb.start
        and toks[verb.start].norm in words.build_verb
        and verb.end < clause.end
        and toks[verb.end].text == "`"
        and not any(toks[k].norm in words.target_word for k in range(verb.end, clause.end))
    )


def makes_credential(view: TextView, verb: Mention) -> bool:
    """'Create a Restricted API Key', 'mints a short-lived installation token': a setup
    verb whose object's head is a credential noun makes a credential, no data write."""
    toks = view.toks
    if toks[verb.start].norm not in view.catalog.words.setup_verb:
        return False
    creds = view.term_starts("CREDENTIAL_NOUN")
    end = view.clause(view.lay.clause_of[verb.start]).end
    for k in range(verb.end, min(verb.end + 6, end)):
        if toks[k].norm in ("from", "in", "on", "to", "for", "via", "with", "and") or (
            not toks[k].text[:1].isalnum() and toks[k].text not in ("-", "*", "**")
        ):
            return False
        if k in creds and toks[k].norm in _AUTH_NOUNS:
            return True  # (not "issue a certificate in Accredible": a record there)
    return False


def reduced_relative(view: TextView, verb: Mention) -> bool:
    """'Requests submitted on the Drupal webform arrive as messages on ...': a past
    participle right after a plural noun that opens the clause, with the clause's own
    verb after it, says what the noun is; the participle is no action of the workflow."""
    toks = view.toks
    s = verb.start
    clause = view.clause(view.lay.clause_of[s])
    first = clause.start
    while first < s and not toks[first].text[:1].isalpha():
        first += 1
    if s != first + 1 or verb_form(toks[s].text) != "past":
        return False
    noun = toks[first].norm
    if not noun.endswith("s") or noun in SUBJECT_PRONOUNS or noun in AUXILIARIES:
        return False
    return any(
        v.start > verb.end and verb_form(toks[v.start].text) == "base"
        for v in view.mentions("verb", clause.index)
    )


USES: tuple[Callable[[TextView, Mention], bool], ...] = (
    step_setting,
    carries_key,
    builds_code,
    makes_credential,
    reduced_relative,
)
