"""Delivery you can see: per mailing the messages queued, delivered and refused (with the
server's answer) and the members written to by letter post, on the convening evidence page and
in the minutes' annex; the outbox sends a pass over one SMTP connection."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from governance.accounts.models import Role
from governance.db import utcnow
from governance.mail import MAX_ATTEMPTS, Connection, SmtpSettings, queue_mail, send_due
from governance.mailing import delivery, mailings_of
from governance.minutes.document import _evidence
from tests.conftest import free_port


class Server:
    """aiosmtpd that refuses recipients containing "refused" (550) and counts connections."""

    def __init__(self) -> None:
        self.port = free_port()
        self.peers: set[tuple[str, int]] = set()
        self.delivered: list[str] = []
        outer = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                outer.peers.add(tuple(session.peer))
                if "refused" in address:
                    return "550 5.1.1 <" + address + ">: mailbox unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                outer.delivered.extend(envelope.rcpt_tos)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def settings(self) -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.port, sender="eg@example.org", timeout=5)


@pytest.fixture
def server():
    s = Server()
    s.controller.start()
    yield s
    s.controller.stop()


def test_one_connection_per_pass_and_per_message_results(session, server):
    for address in ("a@example.org", "refused@example.org", "b@example.org", "c@example.org"):
        queue_mail(session, to=address, subject="Hallo", body_text="Text")
    session.commit()
    assert send_due(session, server.settings()) == (3, 1)
    assert len(server.peers) == 1  # four messages, one connection
    assert sorted(server.delivered) == ["a@example.org", "b@example.org", "c@example.org"]


def test_a_dropped_connection_is_opened_again(server):
    connection = Connection(server.settings())
    for n in range(2):
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = "eg@example.org", f"m{n}@example.org", "x"
        email.set_content("x")
        connection.send(email)
        assert connection.conn is not None
        connection.conn.close()  # the server went away between two messages
    connection.close()
    assert len(server.peers) == 2 and len(server.delivered) == 2


def test_delivery_counts_on_the_evidence_page_and_in_the_minutes(
    app, session, make_member, make_assembly, login, server
):
    for email in ("anna@example.org", "refused@example.org", "carl@example.org", None):
        make_member(email=email)
    draft = make_assembly(title="Generalversammlung")
    board = login(roles=[Role.BOARD])
    assert board.post(f"/assemblies/{draft.id}/convene").status_code == 302

    page = board.get(f"/assemblies/{draft.id}/evidence").get_data(as_text=True)
    assert "Delivery: 0 delivered, 3 still queued, 0 failed." in page

    now = utcnow()
    assert send_due(session, server.settings(), now=now) == (2, 1)
    assert len(server.peers) == 1
    page = board.get(f"/assemblies/{draft.id}/evidence").get_data(as_text=True)
    assert "Delivery: 2 delivered, 1 still queued, 0 failed." in page
    assert "1 of the queued are retried after a failed attempt." in page
    for _ in range(MAX_ATTEMPTS - 1):  # a refusal is tried a few times, then given up
        now += timedelta(hours=2)
        send_due(session, server.settings(), now=now)

    page = board.get(f"/assemblies/{draft.id}/evidence").get_data(as_text=True)
    assert "Delivery: 2 delivered, 0 still queued, 1 failed." in page
    assert "refused@example.org" in page and "550 5.1.1" in page
    assert "Letter post" in page  # the member without an address, as before

    (mailing,) = mailings_of(session, assembly_id=draft.id)
    d = delivery(session, mailing_ids=[mailing.id])[mailing.id]
    assert (d.sent, d.queued, d.failed) == (2, 0, 1)
    (record,) = _evidence(session, draft.id)
    assert (record.delivered, record.queued, record.failed) == (2, 0, 1)
    assert record.failure_answers[0][0].startswith("SMTPRecipientsRefused: 550 5.1.1")
    assert len(record.letters) == 1
