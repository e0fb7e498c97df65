"""Secrets and quiet, honest output, checked on every byte a process prints.

The bot and the CLI run as child processes (the real CLI, logging and redaction) with a token
set, at DEBUG and through exceptions (a handler's error, a bug whose text holds the token, a
token Telegram rejects, a damaged index), and their whole output is searched for the token.
At INFO the bot prints only its own structured lines, never a question's text; llama.cpp prints
nothing unless -v."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.expect import answer_to, command_reply
from tests.fakes.processes import REPO, BotChild, run_cli
from tests.fakes.updates import private_person

QUESTION = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+): (.*)$")


def assert_no_secret(output: bytes, *secrets: str) -> None:
    for secret in secrets:
        for piece in {secret, secret.split(":", 1)[-1]}:
            assert piece.encode() not in output, f"{piece!r} was printed"


async def test_the_bot_never_prints_its_token_at_debug_or_through_errors(fake_api, tmp_path: Path):
    alice = private_person(fake_api, 1001, "en")
    async with BotChild(fake_api, tmp_path, "-v", "serve", RNKBOT_LOG_LEVEL="DEBUG", TESTHOOK_LEAK=fake_api.token) as bot:
        await answer_to(fake_api, await alice.say(QUESTION))
        await command_reply(fake_api, alice, "/about")  # raises an error whose text holds the token
        fake_api.fail_next("sendMessage", 1, status=400)
        await alice.say("/help")
        await fake_api.wait_for(lambda c: c.method == "sendMessage" and "went wrong" in c.params.get("text", ""), count=2)
    output = bot.raw_output
    assert_no_secret(output, fake_api.token)
    text = output.decode()
    assert " DEBUG " in text and "Traceback" in text and "<TOKEN>" in text, "it did log at DEBUG, tracebacks included"


async def test_a_rejected_token_from_dotenv_is_named_without_showing_it(fake_api, tmp_path: Path):
    wrong = "555555:WRONG-token-from-dotenv"
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={wrong}\n", encoding="utf-8")
    for args in (["serve"], ["-v", "serve"]):
        done = await asyncio.to_thread(  # the fake Bot API runs in this event loop: do not block it
            subprocess.run, [sys.executable, "-m", "tests.fakes.bot_child", *args], cwd=tmp_path, capture_output=True,
            timeout=120, env=_env(fake_api, tmp_path), check=False)
        assert done.returncode == 2
        assert_no_secret(done.stdout + done.stderr, wrong)
        assert "Telegram rejected TELEGRAM_BOT_TOKEN" in done.stderr.decode()


def _env(fake_api, tmp_path: Path) -> dict[str, str]:
    from tests.fakes.processes import child_env

    return child_env(TELEGRAM_BASE_URL=fake_api.base_url, RNKBOT_DATA_DIR=tmp_path / "data")


def test_the_cli_never_prints_the_token_through_errors_or_a_bug(tmp_path: Path):
    token = "777777:CLI-secret-token"
    env = {"TELEGRAM_BOT_TOKEN": token, "RNKBOT_DATA_DIR": tmp_path / "data", "RNKBOT_LLM_BACKEND": "none"}
    runs = [run_cli(tmp_path, "-v", "ask", QUESTION, env=env | {"TESTHOOK_BUG": token})]  # a bug: uncaught
    chroma = tmp_path / "data" / "chroma"
    (chroma / "chroma.sqlite3").write_bytes(b"damaged " * 1000)
    runs.append(run_cli(tmp_path, "-v", "about", env=env))  # a user error, with its traceback
    assert runs[0].returncode == 1 and runs[1].returncode == 2
    for done in runs:
        assert_no_secret(done.stdout + done.stderr, token)
    assert b"uncaught exception" in runs[0].stderr and b"internal error near <TOKEN>" in runs[0].stderr
    assert b"Traceback" in runs[1].stderr and b"rnkbot ingest --rebuild" in runs[1].stderr


async def test_at_info_only_our_structured_lines_and_never_a_question(fake_api, tmp_path: Path):
    alice = private_person(fake_api, 1001, "en")
    question = "Which unusual xylophone did Krivoruchko bring to Kim Jong Un?"
    async with BotChild(fake_api, tmp_path) as bot:
        await answer_to(fake_api, await alice.say(question))
        await command_reply(fake_api, alice, "/help")
    lines = [LINE.match(line) for line in bot.output.splitlines() if line.strip()]
    assert lines and all(lines), f"every line is one of ours, as formatted:\n{bot.output}"
    assert all(m.group(2).split(".")[0] in ("bot", "retrieval", "rnkbot", "corpus") for m in lines if m), "no third-party line"
    assert question not in bot.output and "xylophone" not in bot.output
    [answered] = [m.group(3) for m in lines if m and m.group(3).startswith("answered ")]
    assert re.fullmatch(r"answered chat=1001 job=\d+ latency_s=\d+\.\d\d outcome=answered parts=1 drafts=\d+", answered)


def test_dotenv_is_ignored_by_git():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False)
    assert done.returncode == 0, ".env must be in .gitignore"


def test_llama_cpp_prints_nothing_unless_verbose(model_path: Path, capfd: pytest.CaptureFixture[str]):
    import logging

    from retrieval.models.llm import LlamaCppGenerator

    capfd.readouterr()
    LlamaCppGenerator(model_path, n_ctx=512, n_threads=1)
    out, err = capfd.readouterr()
    assert "llama" not in (out + err), err[:500]
    assert logging.getLogger("llama_cpp").name == "llama_cpp"  # where its lines go, for -v


def test_an_unreachable_bot_api_is_one_line_without_the_token(tmp_path: Path):
    from tests.fakes.harness import free_port
    from tests.fakes.processes import child_env

    token = "888888:UNREACHABLE-token"
    env = child_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
                    RNKBOT_DATA_DIR=tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "tests.fakes.bot_child", "serve"], cwd=tmp_path, capture_output=True,
                          timeout=120, env=env, check=False)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith("rnkbot serve: cannot reach the Telegram Bot API at http://127.0.0.1:")
    assert done.stderr.count(b"\n") == 1
    assert_no_secret(done.stdout + done.stderr, token)
