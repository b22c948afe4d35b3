"""How a text is laid out: list items, sentences, clauses, and the closed-class words used."""
