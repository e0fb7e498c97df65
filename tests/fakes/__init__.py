"""Test doubles of what lies outside rnkbot's own code: the Telegram Bot API, a news site, the
language model (:mod:`.generator`), the embedder (:mod:`.embeddings`) and the vector store
(:mod:`.store`). Never of rnkbot's core: the unit tier runs the real pipeline on these."""
