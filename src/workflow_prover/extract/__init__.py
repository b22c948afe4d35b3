"""Stage 3: the reading of one turn, from an `Annotation` to steps and claims.

- `layout`: blocks, sentences, clauses and each clause's frame;
- `services`: which systems the text names, and in what role;
- `steps`: the actions of the workflow, read off the frames;
- `claims`: the mechanisms stated, with their modality and scope;
- `turn`: all of it for one turn of a conversation.
"""
