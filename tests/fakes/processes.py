"""Running the bot and the CLI as child processes (to ``kill -9`` them, or read every byte they print).

Children run from a temporary directory (no ``.env`` of the developer's is read) with the
repository on ``PYTHONPATH`` and none of the caller's ``RNKBOT_``/``TELEGRAM_``/``CHROMA_``
variables: only what the test passes.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from .bot_api import FakeBotAPI

REPO = Path(__file__).resolve().parents[2]
_OURS = ("RNKBOT_", "TELEGRAM_", "CHROMA_", "TESTHOOK_")
_runs = itertools.count(1)


def child_env(**extra: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env.update(PYTHONPATH=str(REPO), ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def run_cli(cwd: Path, *args: str, env: Mapping[str, object] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    """``rnkbot ARGS`` (tests/fakes/cli_child.py) to its end; stdout and stderr as bytes."""
    return subprocess.run([sys.executable, "-m", "tests.fakes.cli_child", *args], cwd=cwd, env=child_env(**(env or {})),
                          capture_output=True, timeout=timeout, check=False)


def start_cli(cwd: Path, *args: str, env: Mapping[str, object] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.fakes.cli_child", *args], cwd=cwd,
                            env=child_env(**(env or {})), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


async def wait_for_file(path: Path, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise AssertionError(f"the child ended ({proc.returncode}) before {path.name} appeared:\n{out[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout} s")
        await asyncio.sleep(0.05)


def kill9(proc: subprocess.Popen) -> None:
    """``kill -9``: no handler, no cleanup, no flush."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)


class BotChild:
    """``async with BotChild(server, workdir, TESTHOOK_...=...) as bot:`` runs the bot
    (tests/fakes/bot_child.py) against the fake Bot API until the block ends (SIGTERM, a
    graceful stop) or ``bot.kill9()``. Its output is in ``bot.output`` afterwards."""

    def __init__(self, server: FakeBotAPI, workdir: Path, *args: str, **env: object) -> None:
        self.server, self.workdir = server, workdir
        self.args = args or ("serve",)
        self.env = {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_BASE_URL": server.base_url,
                    "RNKBOT_DATA_DIR": workdir / "data", "RNKBOT_LOG_LEVEL": "INFO"} | env
        self.log = workdir / f"bot-{next(_runs)}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    async def __aenter__(self) -> BotChild:
        before = len(self.server.calls_of("setMyCommands"))
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.bot_child", *self.args], cwd=self.workdir,
                                         env=child_env(**self.env), stdout=out, stderr=subprocess.STDOUT)
        try:
            await self.server.wait_for(lambda c: c.method == "setMyCommands", count=before + 2, timeout=90)
        except TimeoutError:
            raise AssertionError(f"the bot did not start:\n{self.output[-3000:]}") from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(proc.wait, 30)
            except subprocess.TimeoutExpired:
                kill9(proc)

    def kill9(self) -> None:
        assert self.proc is not None
        kill9(self.proc)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    @property
    def raw_output(self) -> bytes:
        return self.log.read_bytes() if self.log.exists() else b""
