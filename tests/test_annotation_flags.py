"""The pipeline's lexeme flags (tested once per word, as spaCy makes its lexeme) say for every
word, one seen at build time or one new to the vocabulary, what testing the word would: the
typo flag which words the corrector is asked about, the text flag which words a token
pattern's head that reads only the text may start at (or that start with a digit)."""

from __future__ import annotations

from workflow_prover.analyzer import Analyzer

_WORDS = [
    *("retry", "Retry", "backof", "Salesfroce", "DLQ", "SES", "v2", "V2", "2^attempt"),
    *("orders.dlq", "Payments-DLX", "the", "The", "THE", ",", "(", ")", "[", "—", "–", "PUT"),
    *("Catch", "catch", "Prefer", "5", "-3", "2.5", "10%", "5s", "3rd", "ten", "pushed", "x"),
    *("zqxwv", "Zqxwvk", "zqxwv_dlq", "v77", "ran", "sent", "naïve", "²", "١٢"),
]


def test_when_a_word_is_flagged_then_the_flag_says_what_testing_it_would(
    analyzer: Analyzer,
) -> None:
    pipeline = analyzer.pipeline
    typo_flag, text_flag = pipeline._attrs[-2:]
    known = pipeline._corrector.known
    marks = pipeline._tokens.text_test()
    for word in _WORDS:
        lexeme = pipeline.nlp.vocab[word]  # made now for a word new to the vocabulary
        typo = word.isalpha() and not word.isupper() and word.lower() not in known
        assert lexeme.check_flag(typo_flag) == typo, word
        assert lexeme.check_flag(text_flag) == (marks(word) or word[:1].isdigit()), word
    assert pipeline.nlp.vocab["Salesfroce"].check_flag(typo_flag)
    assert pipeline.nlp.vocab["orders.dlq"].check_flag(text_flag)
    assert not pipeline.nlp.vocab["retry"].check_flag(typo_flag)
