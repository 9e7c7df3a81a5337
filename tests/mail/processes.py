"""Helpers for fault tests with real processes: a gated SMTP server and ``flask`` commands."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from jgrad.extensions import db
from jgrad.mail.models import OutboxMessage
from tests.smtp import RecordingHandler, free_port

ROOT = Path(__file__).resolve().parents[2]
# Generous bounds on waiting for another process; never a measure of speed.
WAIT_SECONDS = 120


class GatedHandler(RecordingHandler):
    """Record mail like the plain sink, but hold one recipient (the n-th overall) at RCPT.

    The sender holding that message is then stopped in the middle of its SMTP
    conversation, before the server took the message, for as long as the test wants.
    """

    def __init__(self, gate_at: int | None = None):
        super().__init__()
        self.gate_at = gate_at
        self.recipients_seen = 0
        self.gated = threading.Event()  # a sender is being held
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients_seen += 1
        if self.recipients_seen == self.gate_at:
            self.gated.set()
            await asyncio.get_running_loop().run_in_executor(
                None, self.release.wait, WAIT_SECONDS)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    def received_per_address(self) -> Counter:
        return Counter(message["To"] for message in self.messages)


@pytest.fixture
def gated_smtp():
    """Start a gated SMTP server on loopback; call with the recipient number to hold."""
    controllers = []

    def start(gate_at: int | None = None) -> GatedHandler:
        handler = GatedHandler(gate_at)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        handler.port = controller.port
        controllers.append((controller, handler))
        return handler

    yield start
    for controller, handler in controllers:
        handler.release.set()
        controller.stop()


def killed_process_identity() -> str:
    """The identity of a process of this host that was started and then killed (SIGKILL)."""
    from jgrad.jobs.locks import _start_time

    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    identity = f"{socket.gethostname()}:{process.pid}:{_start_time(process.pid)}"
    process.kill()
    process.wait()
    return identity


def queue_plain_messages(count: int) -> list[str]:
    """Queue ``count`` messages to distinct addresses; return the addresses."""
    addresses = [f"person{n:03d}@example.org" for n in range(count)]
    for address in addresses:
        db.session.add(OutboxMessage(key=f"fault:{address}", kind="notice", to_address=address,
                                     subject=f"For {address}", body_text="Hello.\n"))
    db.session.commit()
    return addresses


class FlaskProcess:
    """A ``flask --app jgrad ...`` command in its own OS process, on the test's database."""

    def __init__(self, app, smtp_port: int, *args: str, log_dir: Path):
        self.args = args
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("JGRAD_")}
        env.update(
            JGRAD_DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
            JGRAD_INSTANCE_PATH=app.instance_path,
            JGRAD_SECRET_KEY=app.config["SECRET_KEY"],
            JGRAD_SERVER_NAME_FOR_MAIL=app.config["SERVER_NAME_FOR_MAIL"],
            JGRAD_SMTP_HOST="127.0.0.1",
            JGRAD_SMTP_PORT=str(smtp_port),
            JGRAD_SMTP_TIMEOUT="60",
        )
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{'-'.join(args)}-{len(list(log_dir.iterdir()))}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "jgrad", *args],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def finish(self) -> str:
        """Wait for the command to end by itself; return its output."""
        code = self.process.wait(timeout=WAIT_SECONDS)
        self._log.close()
        text = self.output()
        assert code == 0, text
        return text

    def kill(self) -> None:
        """Kill the process with SIGKILL (no clean-up of any kind) and reap it."""
        self.process.kill()
        self.process.wait(timeout=WAIT_SECONDS)
        self._log.close()


@pytest.fixture
def flask_process(app, tmp_path):
    """Start ``flask`` commands against the test's database and SMTP server; none outlives
    the test."""
    started: list[FlaskProcess] = []

    def start(smtp_port: int, *args: str) -> FlaskProcess:
        process = FlaskProcess(app, smtp_port, *args, log_dir=tmp_path / "processes")
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process.poll() is None:
            process.kill()


def wait_for(event: threading.Event, process: FlaskProcess) -> None:
    assert event.wait(WAIT_SECONDS), process.output()
