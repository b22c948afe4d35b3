"""Stage 2 of the pipeline: the text, normalised and redacted, annotated by the lexicons.

The only package that imports spaCy. `build_pipeline(lexicons).annotate(text)` gives an
`Annotation`: plain tokens and every lexicon match (services, verbs, claim cues, ConText
modifiers, terms), with the filters that make a match final already applied.
"""
