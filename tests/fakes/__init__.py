"""Test doubles of external services (the Telegram Bot API). Never of rnkbot's own core."""
