"""Mail outbox: queued in the transaction, delivered to a real aiosmtpd server, kept while SMTP
is down, never sent twice, secrets wiped after delivery."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from governance.db import new_session, utcnow
from governance.mail import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    MailStatus,
    OutboxMessage,
    SmtpSettings,
    queue_mail,
    send_due,
)
from tests.conftest import SmtpSink, free_port


def _settings(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="noreply@example.org", timeout=5)


def _queue(session, n: int = 1, **kwargs) -> list[int]:
    ids = []
    for i in range(n):
        msg = queue_mail(
            session,
            to=kwargs.get("to", f"member{i}@example.org"),
            subject=kwargs.get("subject", f"Einladung {i}"),
            body_text=kwargs.get("body_text", "Grüße aus der Genossenschaft"),
            sensitive=kwargs.get("sensitive", False),
        )
        ids.append(msg.id)
    session.commit()
    return ids


def _get(session, msg_id: int) -> OutboxMessage:
    session.rollback()
    msg = session.get(OutboxMessage, msg_id, populate_existing=True)
    assert msg is not None
    return msg


def test_queued_mail_is_delivered_to_smtp(session, smtp, deliver_mail):
    (msg_id,) = _queue(session, to="anna@example.org", subject="Einladung zur Generalversammlung")
    assert deliver_mail() == (1, 0)
    (mail,) = smtp.messages
    assert mail["To"] == "anna@example.org"
    assert mail["From"] == "test@example.org"
    assert mail["Subject"] == "Einladung zur Generalversammlung"
    assert mail.get_content().strip() == "Grüße aus der Genossenschaft"
    msg = _get(session, msg_id)
    assert mail["Message-ID"] == msg.message_id
    assert msg.status == MailStatus.SENT and msg.attempts == 1 and msg.sent_at is not None
    assert msg.body_text == "Grüße aus der Genossenschaft"  # not sensitive: kept
    assert deliver_mail() == (0, 0)  # nothing left: never sent twice
    assert len(smtp.messages) == 1


def test_mail_of_a_rolled_back_transaction_is_never_sent(session, smtp, deliver_mail):
    queue_mail(session, to="x@example.org", subject="s", body_text="b")
    session.rollback()
    assert deliver_mail() == (0, 0)
    assert smtp.messages == []


def test_sensitive_body_is_wiped_after_delivery(session, smtp, deliver_mail):
    (msg_id,) = _queue(session, body_text="https://example.org/login/link/SECRET", sensitive=True)
    deliver_mail()
    assert "SECRET" in smtp.messages[0].get_content()
    msg = _get(session, msg_id)
    assert "SECRET" not in msg.body_text and msg.body_html is None


def test_mail_stays_queued_while_smtp_is_down_and_goes_out_later(session, smtp):
    (msg_id,) = _queue(session)
    down = _settings(free_port())  # nothing listens there
    assert send_due(session, down) == (0, 1)
    msg = _get(session, msg_id)
    assert msg.status == MailStatus.QUEUED and msg.attempts == 1
    assert "ConnectionRefusedError" in msg.last_error
    assert msg.next_attempt_at > utcnow()  # backoff
    assert send_due(session, down) == (0, 0)  # not due yet

    # A long outage: many more failed attempts, the message is never given up.
    later = utcnow()
    for _ in range(MAX_ATTEMPTS + 5):
        later += timedelta(hours=2)
        assert send_due(session, down, now=later) == (0, 1)
    msg = _get(session, msg_id)
    assert msg.status == MailStatus.QUEUED and msg.attempts == MAX_ATTEMPTS + 6
    assert msg.next_attempt_at == later + timedelta(hours=1)  # the backoff stops growing

    assert send_due(session, _settings(smtp.port), now=later + timedelta(hours=2)) == (1, 0)
    assert len(smtp.messages) == 1
    msg = _get(session, msg_id)
    assert msg.status == MailStatus.SENT and msg.last_error is None


def test_backoff_grows_and_is_capped():
    from governance.mail import backoff

    waits = [backoff(n) for n in range(1, 12)]
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1) and waits[-1] == timedelta(hours=1)


class _Refusing:
    """An aiosmtpd handler that refuses every recipient permanently (550)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such mailbox"


def test_refused_message_is_given_up_after_some_attempts(session):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (msg_id,) = _queue(session)
        now = utcnow()
        for _ in range(MAX_ATTEMPTS):
            now += timedelta(hours=2)
            assert send_due(session, _settings(port), now=now) == (0, 1)
    finally:
        controller.stop()
    msg = _get(session, msg_id)
    assert msg.status == MailStatus.FAILED
    assert "SMTPRecipientsRefused" in msg.last_error
    assert send_due(session, _settings(port), now=now + timedelta(days=1)) == (0, 0)


def test_concurrent_workers_never_send_twice(app, session):
    sink = SmtpSink()
    sink.start()
    try:
        ids = _queue(session, 30)
        engine = app.extensions["governance.engine"]
        start = threading.Barrier(3)
        results: list[tuple[int, int]] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with new_session(engine) as s:
                    start.wait()
                    results.append(send_due(s, _settings(sink.port)))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert sum(sent for sent, _failed in results) == 30
        counts = Counter(m["Message-ID"] for m in sink.messages)
        assert len(counts) == 30 and set(counts.values()) == {1}
        session.rollback()
        statuses = session.exec(select(OutboxMessage.status).where(OutboxMessage.id.in_(ids)))
        assert set(statuses.all()) == {MailStatus.SENT}
    finally:
        sink.stop()


def test_a_message_claimed_by_another_worker_is_left_alone(session, smtp):
    (fresh, stale) = _queue(session, 2)
    for msg_id, claimed in ((fresh, utcnow()), (stale, utcnow() - CLAIM_TIMEOUT - timedelta(1))):
        msg = _get(session, msg_id)
        msg.status, msg.claimed_at = MailStatus.SENDING, claimed
        session.commit()
    # The fresh claim belongs to a running worker; the stale one to a worker that died.
    assert send_due(session, _settings(smtp.port)) == (1, 0)
    assert [m["Message-ID"] for m in smtp.messages] == [_get(session, stale).message_id]
    assert _get(session, fresh).status == MailStatus.SENDING


def test_mail_send_command(app, session, smtp):
    _queue(session, 2)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed attempts 0" in result.output
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["From"] == app.config["MAIL_FROM"]


def test_mail_send_command_while_smtp_is_down(app, session):
    _queue(session)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "sent 0, failed attempts 1" in result.output


@pytest.mark.parametrize("code, permanent", [(550, True), (451, False)])
def test_permanent_and_temporary_refusals(code, permanent):
    import smtplib

    from governance.mail import is_permanent

    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (code, b"no")})
    assert is_permanent(refused) is permanent
    assert is_permanent(smtplib.SMTPDataError(code, "no")) is permanent
    assert not is_permanent(ConnectionRefusedError())
    assert not is_permanent(smtplib.SMTPAuthenticationError(535, "bad credentials"))
