"""Finding JSON/YAML in a text, locating every element, and reporting bad syntax (no spaCy)."""

from __future__ import annotations

import pytest

from workflow_prover.schemas import ParseError, find_blocks, parse_block, whole_text_error
from workflow_prover.schemas.detect import Parsed

ASL_JSON = '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "x", "End": true}}}'
ASL_YAML = "StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: x\n    End: true\n"


def _parsed(text: str) -> Parsed:
    blocks = find_blocks(text)
    assert len(blocks) == 1
    parsed = parse_block(text, blocks[0])
    assert isinstance(parsed, Parsed), parsed
    return parsed


@pytest.mark.parametrize(
    ("text", "syntax", "declared"),
    [
        pytest.param(ASL_JSON, "json", True, id="whole-json"),
        pytest.param("  \n" + ASL_JSON, "json", True, id="whole-json-after-blank-lines"),
        pytest.param('[{"a": 1}]', "json", True, id="whole-json-array"),
        pytest.param(ASL_YAML, "yaml", False, id="whole-yaml-with-a-known-key"),
    ],
)
def test_when_the_whole_text_is_a_document_then_one_block_covers_it(
    text: str, syntax: str, declared: bool
) -> None:
    [block] = find_blocks(text)
    assert (block.start, block.end, block.syntax, block.declared) == (
        0,
        len(text),
        syntax,
        declared,
    )
    assert block.whole


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("We sync Stripe to the CRM. Errors go to a DLQ.", id="prose"),
        pytest.param("[Design](https://example.com): Stripe -> CRM", id="markdown-link"),
        pytest.param("Notes:\n- step one: read\n", id="yaml-looking-prose"),
        pytest.param("# Design\n\n```python\nprint('hi')\n```\n", id="other-language-fence"),
    ],
)
def test_when_the_text_is_prose_then_no_block_is_found(text: str) -> None:
    assert find_blocks(text) == []


@pytest.mark.parametrize(
    ("fence", "syntax", "declared"),
    [
        pytest.param("```json", "json", True, id="json"),
        pytest.param("```yaml", "yaml", True, id="yaml"),
        pytest.param("```yml", "yaml", True, id="yml"),
        pytest.param("~~~~ YAML title=asl", "yaml", True, id="tilde-uppercase-with-info"),
        pytest.param("```", "json", False, id="untagged-json"),
    ],
)
def test_when_prose_has_a_fenced_block_then_its_offsets_point_into_the_original_text(
    fence: str, syntax: str, declared: bool
) -> None:
    body = ASL_JSON if syntax == "json" else ASL_YAML
    close = fence.split()[0][:4] if fence.startswith("~") else "```"
    text = f"Our payment flow:\n\n{fence}\n{body}\n{close}\n\nThat is all.\n"
    [block] = find_blocks(text)
    assert text[block.start : block.end].strip() == body.strip()
    assert (block.syntax, block.declared, block.whole) == (syntax, declared, False)
    assert text[block.outer_start : block.outer_end].startswith(fence.split()[0][:3])
    assert text[block.outer_end :] == "\nThat is all.\n"


def test_when_a_fence_is_not_closed_then_the_block_runs_to_the_end() -> None:
    text = "Flow:\n```json\n" + ASL_JSON
    [block] = find_blocks(text)
    assert text[block.start : block.end] == ASL_JSON


def test_when_a_file_name_declares_the_syntax_then_the_hint_wins() -> None:
    [block] = find_blocks("a: 1\n", hint="yaml")
    assert (block.syntax, block.declared, block.whole) == ("yaml", True, True)


@pytest.mark.parametrize("document", [ASL_JSON, ASL_YAML], ids=["json", "yaml"])
def test_when_a_document_is_parsed_then_each_pointer_locates_its_element(document: str) -> None:
    text = f"Intro line\n```{'json' if document is ASL_JSON else 'yaml'}\n{document}\n```\n"
    parsed = _parsed(text)
    resource = parsed.locs["/States/A/Resource"]
    assert text[resource.start : resource.end].strip('"') == "x"
    assert text[resource.member_start : resource.end].replace('"', "") == "Resource: x"
    state = parsed.locs["/States/A"]
    assert text[state.member_start :].lstrip('"').startswith("A")
    assert parsed.value == {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": "x", "End": True}},
    }


def test_when_keys_contain_slashes_and_tildes_then_pointers_escape_them() -> None:
    parsed = _parsed('{"a/b": {"c~d": [10, 20]}}')
    assert "/a~1b/c~0d/1" in parsed.locs
    loc = parsed.locs["/a~1b/c~0d/1"]
    assert '{"a/b": {"c~d": [10, 20]}}'[loc.start : loc.end] == "20"


BAD = [
    pytest.param('```json\n{"a": 1,}\n```', 2, 9, "JSON", id="json-trailing-comma"),
    pytest.param('x\n\n```json\n{\n  "a": tru\n}\n```', 5, 8, "JSON", id="json-bad-literal"),
    pytest.param("```yaml\na: [1, 2\nb: 3\n```", 3, 2, "YAML", id="yaml-unclosed-flow"),
    pytest.param("```yaml\na:\n  b: 1\n c: 2\n```", 4, 2, "YAML", id="yaml-bad-indent"),
]


@pytest.mark.parametrize(("text", "line", "column", "syntax"), BAD)
def test_when_a_declared_block_does_not_parse_then_the_error_has_its_line_and_column(
    text: str, line: int, column: int, syntax: str
) -> None:
    [block] = find_blocks(text)
    error = parse_block(text, block)
    assert isinstance(error, ParseError)
    assert (error.line, error.column) == (line, column)
    assert error.describe().startswith(f"invalid {syntax} at line {line}, column {column}: ")


def test_when_a_yaml_error_is_described_then_it_does_not_quote_the_document() -> None:
    text = "```yaml\ntoken: sk_live_abcdefghijklmnop\n  bad: [\n```"
    [block] = find_blocks(text)
    error = parse_block(text, block)
    assert isinstance(error, ParseError)
    assert "sk_live" not in error.describe()


@pytest.mark.parametrize(
    ("text", "hint", "broken"),
    [
        pytest.param('{"a": 1,}', None, True, id="whole-json"),
        pytest.param("a: [1\n", "yaml", True, id="yaml-file"),
        pytest.param("a: [1\n", None, False, id="yaml-without-a-file-name"),
        pytest.param('Prose.\n```json\n{"a": 1,}\n```\n', None, False, id="fenced-in-prose"),
        pytest.param('{"a": 1}', "json", False, id="valid"),
        pytest.param("", "json", False, id="empty"),
    ],
)
def test_only_a_declared_whole_text_document_can_be_broken_as_a_whole(
    text: str, hint: str | None, broken: bool
) -> None:
    assert (whole_text_error(text, hint) is not None) is broken  # type: ignore[arg-type]


def test_reading_schemas_needs_no_spacy() -> None:
    import subprocess
    import sys

    code = "import sys, workflow_prover.schemas; sys.exit('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
