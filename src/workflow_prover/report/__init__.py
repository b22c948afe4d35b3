"""Stage 6: the decision turned into words: messages, questions, SARIF."""
