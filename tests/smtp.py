"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""
from __future__ import annotations

import email
import socket

import pytest
from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        # Set to e.g. "421 Try later" or "550 No such user" to refuse messages.
        self.reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reply:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()
