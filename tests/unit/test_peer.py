"""The usual recipe the bench compares with: its index holds exactly the articles given, however
often it is built in the same folder."""

from __future__ import annotations

from types import SimpleNamespace

from retrieval.evaluation.peer import PeerRecipe
from tests.fakes.embeddings import FakeEmbeddings


def test_indexing_twice_in_one_folder_keeps_one_copy_of_each_chunk(tmp_path):
    articles = [SimpleNamespace(doc_id=f"d{i}", title=f"Berita {i}",
                                text=" ".join(f"Kalimat nomor {i} {k} tentang Rusia dan Korea Utara." for k in range(60)))
                for i in range(2)]
    first = PeerRecipe(FakeEmbeddings(), lambda prompt, on_text: "", tmp_path / "peer", 64)
    n = first.index(articles)
    assert n > 2  # long enough to be split
    again = PeerRecipe(FakeEmbeddings(), lambda prompt, on_text: "", tmp_path / "peer", 64)
    assert again.index(articles) == n
    assert len(again.store.get()["ids"]) == n
    top = again.store.similarity_search("Kalimat nomor 1", k=4)
    assert len({d.page_content for d in top}) == 4, "no chunk twice among the four the recipe stuffs"
