"""Claims: the mechanisms a text states, with their modality (ConText) and their scope."""
