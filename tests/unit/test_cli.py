"""The command line's edge: user errors in one line (traceback with -v), bugs with their traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.cli
from bot.cli import main
from retrieval.settings import env_example


@pytest.fixture(autouse=True)
def no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_user_errors_are_one_clear_line(tmp_path: Path, capsys):
    assert main(["ask", "--batch", str(tmp_path / "nope.txt")]) == 2
    assert capsys.readouterr().err == f"rnkbot ask: {tmp_path / 'nope.txt'}: no such file\n"
    assert main(["eval", str(Path(bot.cli.__file__))]) == 2
    assert "cli.py:1: not a question record: invalid JSON" in capsys.readouterr().err
    assert main(["serve"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    assert main(["digest", "--since", "yesterday-ish"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnkbot digest: 'yesterday-ish' is not a date") and "Traceback" not in err
    assert main(["eval-topic", str(tmp_path / "none.jsonl")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_verbose_adds_the_traceback_of_a_user_error(capsys):
    assert main(["-v", "digest", "--since", "yesterday-ish"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "TimeParseError" in err


def test_a_bug_is_not_dressed_as_a_user_error(monkeypatch):
    def broken(args, settings):
        raise ValueError("an internal bug")

    monkeypatch.setitem(bot.cli.COMMANDS, "about", broken)
    with pytest.raises(ValueError, match="an internal bug"):
        main(["about"])


def test_a_bad_setting_names_its_variable(monkeypatch, capsys):
    monkeypatch.setenv("RNKBOT_LLM_THREADS", "0")
    assert main(["about"]) == 2
    assert "invalid setting RNKBOT_LLM_THREADS" in capsys.readouterr().err


def test_env_example_needs_no_valid_settings(monkeypatch, capsys):
    monkeypatch.setenv("RNKBOT_LLM_THREADS", "0")
    assert main(["env-example"]) == 0
    assert capsys.readouterr().out == env_example()


def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path: Path):
    """`rnkbot ... | head`: output to a pipe nobody reads any more is no error to report."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first line
    try:
        done = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['env-example']))"],
                              stdout=write_end, stderr=subprocess.PIPE, cwd=Path(bot.cli.__file__).parents[1],
                              env={**os.environ, "PYTHONPATH": str(Path(bot.cli.__file__).parents[1])}, timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == bot.cli.EXIT_BROKEN_PIPE
    assert done.stderr.decode() == ""
