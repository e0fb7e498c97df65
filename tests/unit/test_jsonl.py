"""One JSONL reader: every bad line named by file and line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.errors import RnkbotError
from corpus.jsonl import JsonlError, raw_lines, read_objects
from retrieval.evaluation.qa import EvalFileError, load_items
from retrieval.index.topic import load_topic_items


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def test_objects_with_their_line_numbers_blank_lines_skipped(tmp_path: Path):
    path = write(tmp_path, '{"question": "a"}\n\n  \n{"question": "b", "id": "x"}\n')
    assert [(n, o["question"]) for n, o in read_objects(path, "question record", ("question",))] == [(1, "a"), (4, "b")]
    items = load_items(path)
    assert [(i.id, i.question, i.answerable) for i in items] == [("1", "a", True), ("x", "b", True)]


@pytest.mark.parametrize("text, why", [
    ('{"question": "a"}\n{nope\n', "set.jsonl:2: not a question record: invalid JSON"),
    ('{"question": "a"}\n\n["q"]\n', "set.jsonl:3: not a question record: a JSON object is needed, not list"),
    ('{"id": 1}\n', "set.jsonl:1: not a question record: missing question"),
    ('{"question": "a"}\n{"question": "b", "history": "a"}\n',
     "set.jsonl:2: 'history' must be a list of the questions asked before, as strings"),
])
def test_a_bad_line_is_named(tmp_path: Path, text: str, why: str):
    with pytest.raises(EvalFileError) as err:
        load_items(write(tmp_path, text))
    assert f"/{why}" in str(err.value) and err.value.line == int(why.split(":")[1])
    assert isinstance(err.value, JsonlError) and isinstance(err.value, RnkbotError)


def test_topic_items_use_the_same_reader(tmp_path: Path):
    path = write(tmp_path, '{"id": 1, "title": "t", "text": "x", "on_topic": true, "lang": "en"}\n{"id": 2, "title": "t"}\n')
    with pytest.raises(JsonlError, match="set.jsonl:2: not a topic item: missing text, on_topic"):
        load_topic_items(path)


def test_lines_end_at_newlines_only_as_an_editor_numbers_them(tmp_path: Path):
    """str.splitlines also broke at U+0085 or U+2028 (valid inside a JSON string), so such a
    line was split in two and every later line numbered one too high."""
    path = write(tmp_path, '{"question": "a\u2028b\x85"}\r\n\n{"question": "c"}')
    assert [(n, o["question"]) for n, o in read_objects(path, "question record", ("question",))] == [
        (1, "a\u2028b\x85"), (3, "c")]
    assert [n for n, _ in raw_lines(path)] == [1, 2, 3]
