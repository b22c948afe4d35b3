"""A second reading of a design by the client's model (MCP sampling), grounded in the text.

The rules read what they know; when their reading is uncertain (sentences left unread, or no
step in a text that names a service) the server asks the model of the client that called it,
once, for the workflow's steps and resilience statements, each with an exact quote. The
Prover, not the model, decides what counts:

- `request`: the request (a reviewed Jinja template, the redacted turns, the bounds);
- `answer`: the model's JSON, read item by item;
- `quotes`, `ground`, `services`, `span`: each item's quote must be in the text, its service
  named there, its kind one the Prover knows, and the rules' ConText reading of the quote keeps
  the last word on whether it is asserted;
- `merge`: accepted items join the rules' reading of their turn, where the scope logic, the
  checks and the verdict treat them as their own;
- `reading`: the accepted items, located, as a session stores them with their turn;
- `note`: the sentence the message adds when a finding rests on the assisted reading;
- `session`: one analysis with an assisted reading (what a pool worker runs);
- `replay`: recorded answers (`--assist-answers FILE.jsonl`);
- `sampling`: the MCP side, in the server process only.

Importing the package imports nothing heavy; the modules load what they need.
"""
