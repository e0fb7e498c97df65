"""The usual recipe, run as a peer of rnkbot in ``make bench``: LangChain's
``RecursiveCharacterTextSplitter(1000, 200)``, Chroma (``langchain-chroma``), the top 4 chunks
"stuffed" into LangChain's classic question-answering prompt, the same model and the same
embeddings. Its sources are the retrieved documents. Scored with ``rnkbot eval``'s metrics.

Needs the ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from retrieval.types import Answer, Citation, Language, RetrievedRef, Timings

# LangChain's classic "stuff" question-answering prompt.
STUFF_PROMPT = (
    "Use the following pieces of context to answer the question at the end. If you don't know the answer, "
    "just say that you don't know, don't try to make up an answer.\n\n{context}\n\nQuestion: {question}\nHelpful Answer:"
)
# What counts as declining, for refusal accuracy: the prompt asks it to say it does not know.
REFUSAL = re.compile(r"\b(don'?t know|do not know|not (mentioned|stated|provided)|no information|"
                     r"tidak (tahu|diketahui|disebutkan)|tidak ada informasi)\b", re.IGNORECASE)


class PeerRecipe:
    """Index articles the usual way and answer with the top 4 chunks stuffed in one prompt.

    ``generate(prompt, on_text)`` is the same model rnkbot uses (the bench passes rnkbot's own
    generator); ``embeddings`` is rnkbot's embedder, a LangChain ``Embeddings``."""

    def __init__(self, embeddings, generate: Callable[[str, Callable[[str], None] | None], str], directory: Path,
                 max_tokens: int) -> None:
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.store = Chroma(collection_name="peer", embedding_function=embeddings, persist_directory=str(directory))
        self.generate = generate
        self.max_tokens = max_tokens

    def index(self, articles: Iterable[Any]) -> int:
        from langchain_core.documents import Document

        docs = [Document(page_content=a.text, metadata={"doc_id": a.doc_id, "title": a.title}) for a in articles]
        chunks = self.splitter.split_documents(docs)
        self.store.reset_collection()  # exactly these articles: a bench re-run in the same folder doubled every chunk
        for i in range(0, len(chunks), 256):
            self.store.add_documents(chunks[i : i + 256])
        return len(chunks)

    def ask(self, question: str, language: Language, on_partial: Callable[[str], None] | None = None) -> Answer:
        t0 = time.perf_counter()
        docs = self.store.similarity_search(question, k=4)
        t1 = time.perf_counter()
        context = "\n\n".join(d.page_content for d in docs)
        text = self.generate(STUFF_PROMPT.format(context=context, question=question), on_partial).strip()
        t2 = time.perf_counter()
        refused = not text or bool(REFUSAL.search(text))
        seen = list(dict.fromkeys(d.metadata["doc_id"] for d in docs))
        titles = {d.metadata["doc_id"]: d.metadata.get("title", "") for d in docs}
        return Answer(
            question=question, language=language, answer=text, refused=refused,
            citations=[] if refused else [Citation(n=n, doc_id=d, title=titles[d], outlet=None, published=None, url=None,
                                                   quote="") for n, d in enumerate(seen, start=1)],
            retrieved=[RetrievedRef(doc_id=d.metadata["doc_id"], chunk_id=f"{d.metadata['doc_id']}:{n}", score=0.0)
                       for n, d in enumerate(docs)],
            timings=Timings(retrieve_s=round(t1 - t0, 4), generate_s=round(t2 - t1, 4), total_s=round(t2 - t0, 4)),
        )
