"""Helpers for the failure drills (tests marked ``drill``): real processes on loopback.

- :class:`Proc`: a child process in its own process group (so a SIGKILL takes the Celery
  worker and its pool children at once), its output in a log file.
- :func:`start_redis`: a private redis-server on a free loopback port (never the shared 6379).
- :class:`TcpProxy`: a loopback TCP proxy to PostgreSQL that can be cut and restored.
- :func:`wait_for`: poll a condition with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback TCP port free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Call ``check`` until it returns something truthy (returned) or ``timeout`` seconds
    pass (AssertionError naming ``what``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def say(text: str) -> None:
    """Print a drill line (shown with ``-s``, and in the captured output otherwise)."""
    print(f"DRILL: {text}", flush=True)


class Proc:
    """A child process in a new session (process group); output goes to a temp log."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"drill-{name}-", suffix=".log")[1])
        self._out = self.log.open("wb")
        self.popen = subprocess.Popen(  # noqa: S603 - fixed arguments from the drill
            args,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_output(self, text: str, timeout: float = 60) -> None:
        def seen() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.output()[-3000:]}")
            return text in self.output()

        wait_for(seen, timeout, f"{self.name} to print {text!r}")

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (the worker and its pool children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL it after 10 s; close the log."""
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(5)
        self.signal(signal.SIGKILL)  # stray pool children
        self._out.close()


def start_redis(port: int) -> Proc:
    """redis-server on 127.0.0.1:``port`` with no persistence (a restart loses the queue, as
    the drills want); waits until it answers."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    proc = Proc(
        f"redis-{port}",
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        dict(os.environ),
    )
    proc.wait_output("Ready to accept connections", timeout=20)
    return proc


class TcpProxy:
    """A loopback TCP proxy from a free port to ``target`` (host, port), in a thread.

    ``cut()`` closes every open connection and refuses new ones (the database is
    unreachable); ``restore()`` accepts again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.setblocking(False)
        self._open = True
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ, None)
        while not self._stop.is_set():
            for key, _ in sel.select(timeout=0.1):
                if key.data is None:
                    try:
                        client, _addr = self._listener.accept()
                    except BlockingIOError:
                        continue
                    if not self._open:
                        client.close()
                        continue
                    try:
                        upstream = socket.create_connection(self.target, timeout=3)
                    except OSError:
                        client.close()
                        continue
                    with self._lock:
                        self._pairs.append((client, upstream))
                    sel.register(client, selectors.EVENT_READ, upstream)
                    sel.register(upstream, selectors.EVENT_READ, client)
                    continue
                src = key.fileobj
                dst = key.data
                try:
                    data = src.recv(65536)  # type: ignore[union-attr]
                except OSError:
                    data = b""
                if data and self._open:
                    try:
                        dst.sendall(data)
                        continue
                    except OSError:
                        pass
                for s in (src, dst):
                    with contextlib.suppress(KeyError, ValueError):
                        sel.unregister(s)
                    s.close()  # type: ignore[union-attr]
            if not self._open:
                with self._lock:
                    pairs, self._pairs = self._pairs, []
                for pair in pairs:
                    for s in pair:
                        with contextlib.suppress(KeyError, ValueError):
                            sel.unregister(s)
                        s.close()
        sel.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self._open = False

    def restore(self) -> None:
        """Accept and forward connections again."""
        self._open = True

    def close(self) -> None:
        self._open = False
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()


def drill_env(**extra: str) -> dict[str, str]:
    """The environment of a drill's child processes: test settings, quick recovery timings
    (heartbeat 1 s, stale after 5 s, reconcile every 2 s), text logs, plus ``extra``."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "salesops.settings_test",
            "PYTHONUNBUFFERED": "1",
            "JOB_HEARTBEAT_SECONDS": "1",
            "JOB_STALE_SECONDS": "5",
            "RECONCILE_EVERY_SECONDS": "2",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
        }
    )
    env.pop("EMBEDDED_WORKER", None)
    env.update(extra)
    return env


def start_worker(name: str, env: dict[str, str], concurrency: int = 1) -> Proc:
    """A Celery worker named ``name@<host>``; waits until it is ready."""
    proc = Proc(
        name,
        [
            str(VENV_BIN / "celery"),
            "-A",
            "salesops",
            "worker",
            "--loglevel=info",
            f"--concurrency={concurrency}",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
    )
    proc.wait_output("ready", timeout=90)
    return proc


def start_beat(env: dict[str, str]) -> Proc:
    """Celery beat with the lock scheduler and a throw-away schedule file."""
    schedule = tempfile.mkdtemp(prefix="drill-beat-")
    proc = Proc(
        "beat",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "salesops",
            "beat",
            "--loglevel=info",
            "--schedule",
            f"{schedule}/schedule",
        ],
        env,
    )
    proc.wait_output("beat lock taken", timeout=90)
    return proc
