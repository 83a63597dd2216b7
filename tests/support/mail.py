"""A real SMTP server for the notices' e-mail: aiosmtpd on 127.0.0.1, and what it received."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.served import free_port


class Mailbox:
    """What the server received: (recipients, parsed message), in order."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: list[tuple[list[str], Any]] = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        return [message for rcpt, message in self.received if address in rcpt]


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[tuple[str, Mailbox]]:
    """An aiosmtpd server in its own thread; yields its smtp:// URL and its mailbox."""
    mailbox = Mailbox(delay)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
