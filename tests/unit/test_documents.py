"""Article files: YAML front matter read by python-frontmatter, written so that it reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.documents import DocumentError, from_markdown, load_file, to_markdown
from corpus.errors import RnkbotError


def test_front_matter_values_stay_text_and_null_means_none():
    article = from_markdown("---\ntitle: Yes\ndoc_id: 123\npublished: 2024-11-19\nauthor: ~\nurl:\n# a note\n---\n\nBody text.\n",
                            Path("x.md"))
    assert (article.title, article.doc_id, article.published_iso) == ("Yes", "123", "2024-11-19")
    assert article.author is None and article.url is None and article.source == "file" and article.text == "Body text."


def test_what_is_written_reads_back_the_same():
    article = from_markdown('---\ntitle: "Putin: \\"yes\\" – é"\noutlet: Kontan\n---\n\nA.\n\nB.\n', Path("doc.md"))
    text = to_markdown(article)
    assert text.startswith('---\ndoc_id: "doc"\ntitle: "Putin: \\"yes\\" – é"\n') and text.endswith("\n---\n\nA.\n\nB.\n")
    assert from_markdown(text, Path("doc.md")) == article


@pytest.mark.parametrize("text, why", [
    ("no front matter\n", "must start with a '---' front-matter block"),
    ("---\ntitle: x\n", "front matter is not closed"),
    ("---\n- a\n---\n\nBody.\n", "not a list"),
    ("---\ntitle: a: b\n---\n\nBody.\n", "not 'key: value' lines of YAML"),
    ("---\noutlet: x\n---\n\nBody.\n", "front matter needs a title"),
    ("---\ntitle: x\n---\n\n \n", "the article has no text"),
    ("---\ntitle: x\ndoc_id: [1, 2]\n---\n\nBody.\n", "front matter doc_id"),
])
def test_bad_files_say_what_is_wrong(text: str, why: str):
    with pytest.raises(DocumentError, match="x.md: .*" + why.replace("'", ".").replace("(", ".")) as err:
        from_markdown(text, Path("x.md"))
    assert isinstance(err.value, RnkbotError)


EN_BODY = ("The delegation arrived in the capital on Tuesday and was met at the airport by officials of the "
           "ministry. They said that the talks would cover trade, fisheries and a new shipping route, and that "
           "a second round was planned for the spring.")
ID_BODY = ("Delegasi itu tiba di ibu kota pada hari Selasa dan disambut di bandara oleh pejabat kementerian. "
           "Mereka mengatakan bahwa pembicaraan akan membahas perdagangan, perikanan dan rute pelayaran baru.")


def test_a_file_that_does_not_say_its_language_gets_the_one_its_text_is_in(tmp_path):
    """An English article in a .txt file (or a .md without `language`) is English: answers quoting
    it tell an Indonesian reader so, and don't tell an English one it is Indonesian. Front matter
    or a manifest that states it wins; too few words to tell leaves the corpus's own, Indonesian."""
    (tmp_path / "901_en.txt").write_text(f"Delegation arrives for talks\n\n{EN_BODY}\n", encoding="utf-8")
    (tmp_path / "902_id.txt").write_text(f"Delegasi tiba untuk pembicaraan\n\n{ID_BODY}\n", encoding="utf-8")
    assert load_file(tmp_path / "901_en.txt").language == "en"
    assert load_file(tmp_path / "902_id.txt").language == "id"
    assert from_markdown(f"---\ntitle: T\n---\n\n{EN_BODY}\n", Path("e.md")).language == "en"
    assert from_markdown(f"---\ntitle: T\nlanguage: id\n---\n\n{EN_BODY}\n", Path("e.md")).language == "id"
    assert from_markdown("---\ntitle: T\n---\n\nPutin, Kim, Pyongyang 2024.\n", Path("e.md")).language == "id"


def test_a_manifest_that_is_not_utf8_skips_the_file_with_a_line_not_a_traceback(tmp_path):
    (tmp_path / "manifest.jsonl").write_bytes(b'{"doc_id": "a", "title": "ok"}\n{"doc_id": "b", "outlet": "Caf\xe9"}\n')
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\nSome text.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"manifest.jsonl:2: not UTF-8 text \(byte 0xe9\)"):
        load_file(tmp_path / "a.md")
