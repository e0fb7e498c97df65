"""Tests of the Telegram front end (bot/telegram, bot/render.py)."""
