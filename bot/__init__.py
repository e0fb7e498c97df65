"""User-facing edges of rnkbot: the command line, the terminal chat and the Telegram bot, and
``make bench`` (``bot/bench/``), which drives them all."""
