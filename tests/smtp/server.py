"""A real SMTP server for kaizen's mail tests (aiosmtpd).

Usage: python server.py PORT DIR [starttls|tls CERT KEY]

Listens on 127.0.0.1:PORT and stores every accepted message in DIR as one JSON file:
the envelope recipients, the decoded subject, the decoded plain-text body, the
Message-ID and whether the session was encrypted. Prints "ready" once it accepts
connections; runs until killed.

With `starttls CERT KEY` the server offers STARTTLS with that certificate (PEM) and
refuses every mail command before it; with `tls CERT KEY` it speaks TLS from the first
byte (SMTPS). Without, plain SMTP.
"""

import email
import email.policy
import json
import pathlib
import ssl
import sys
import threading
import uuid

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, out: pathlib.Path):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "body": (part.get_content() if part is not None else "").replace("\r\n", "\n"),
        }
        name = uuid.uuid4().hex
        tmp = self.out / f".{name}.tmp"
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.rename(self.out / f"{name}.json")
        return "250 Message accepted for delivery"


def main() -> None:
    port = int(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    options = {}
    if len(sys.argv) == 6:
        mode, cert, key = sys.argv[3:6]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if mode == "starttls":
            options = {"tls_context": context, "require_starttls": True}
        elif mode == "tls":
            options = {"ssl_context": context}
        else:
            sys.exit(f"unknown mode {mode!r}: use starttls or tls")
    controller = Controller(Store(out), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
