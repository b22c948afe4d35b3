"""Which systems a text names: lexicon services, unnamed ones, and later references."""
