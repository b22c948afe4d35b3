"""Stage 4: the turns merged into one claim graph, and which claims cover each step."""
