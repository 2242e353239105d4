"""A real SMTP server for kaizen's mail tests (aiosmtpd).

Usage: python server.py PORT DIR

Listens on 127.0.0.1:PORT and stores every accepted message in DIR as one JSON file:
the envelope recipients, the decoded subject, the decoded plain-text body and the
Message-ID. Prints "ready" once it accepts connections; runs until killed.
"""

import email
import email.policy
import json
import pathlib
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
    controller = Controller(Store(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
