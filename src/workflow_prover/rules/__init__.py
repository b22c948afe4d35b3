"""The finding and note codes as data: their tables, `rules`/`explain`, and `docs/rules`."""
