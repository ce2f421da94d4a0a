"""The one job runner (governance/jobs.py): jobs left by a dead worker are finished by the next,
a database outage does not end the worker, and /healthz shows a stuck queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from governance.db import make_engine, new_session, utcnow
from governance.jobs import KINDS, Runner, WorkerHeartbeat
from governance.mail import MailStatus, OutboxMessage, queue_mail
from governance.minutes import rendering
from governance.minutes.models import RenderJob, RenderStatus
from tests.conftest import free_port
from tests.minutes.conftest import start


def test_every_kind_of_job_is_registered(app):
    assert {"mail", "minutes", "scrub"} <= set(KINDS)


def test_a_render_job_left_running_by_a_dead_worker_is_finished(app, engine, make_held_assembly):
    with new_session(engine) as s:
        minutes = start(s, make_held_assembly())
        job = rendering.request_render(s, minutes=minutes, actor=None)
        s.commit()
        assert rendering.claim(s, job_id=job.id)  # the worker that then died
        s.execute(
            update(RenderJob)
            .where(RenderJob.id == job.id)
            .values(started_at=utcnow() - rendering.STALE_AFTER - timedelta(minutes=1))
        )
        s.commit()
        job_id = job.id
    report = Runner(engine, app.config, only=("minutes",)).run_once(interval=1)
    assert report == {"minutes": 1}
    with new_session(engine) as s:
        assert s.get(RenderJob, job_id).status == RenderStatus.DONE


def test_a_job_running_elsewhere_is_left_alone(app, engine, make_held_assembly):
    with new_session(engine) as s:
        minutes = start(s, make_held_assembly())
        job = rendering.request_render(s, minutes=minutes, actor=None)
        s.commit()
        assert rendering.claim(s, job_id=job.id)  # a live worker renders it right now
        s.commit()
    assert Runner(engine, app.config, only=("minutes",)).run_once(interval=1) == {"minutes": 0}


def test_a_mail_claimed_by_a_dead_worker_is_sent_again_with_its_message_id(app, engine, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    with new_session(engine) as s:
        queue_mail(s, to="a@example.org", subject="Einladung", body_text="Hallo")
        s.commit()
        s.execute(
            update(OutboxMessage).values(
                status=MailStatus.SENDING, claimed_at=utcnow() - timedelta(hours=1)
            )
        )
        s.commit()
        message_id = s.scalar(select(OutboxMessage.message_id))
    assert Runner(engine, app.config, only=("mail",)).run_once(interval=1) == {"mail": 1}
    assert [m["Message-ID"] for m in smtp.messages] == [message_id]


def test_a_database_outage_does_not_end_the_worker(app, engine, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    with new_session(engine) as s:
        queue_mail(s, to="a@example.org", subject="Einladung", body_text="Hallo")
        s.commit()
    down = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    runner = Runner(down, app.config, only=("mail",))
    first = runner.run_once(interval=2, now=0.0)
    assert str(first["mail"]).startswith("failed")
    assert runner.run_once(interval=2, now=1.0) == {}  # backing off: 2 × 2¹ s
    second = runner.run_once(interval=2, now=5.0)  # still down: the pause doubles (2 × 2² s)
    assert str(second["mail"]).startswith("failed") and runner.next_at["mail"] == 5.0 + 8
    runner.engine = engine  # the database is back
    assert runner.run_once(interval=2, now=30.0) == {"mail": 1}
    assert len(smtp.messages) == 1 and runner.failures["mail"] == 0
    down.dispose()


def test_healthz_shows_a_stuck_queue(app, engine, client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    with new_session(engine) as s:
        queue_mail(s, to="a@example.org", subject="Einladung", body_text="Hallo")
        s.commit()
        s.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=2)))
        s.commit()
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["jobs"]["mail"]["queued"] == 1
    assert health["jobs"]["mail"]["oldest_queued_s"] >= 7200
    assert any(p.startswith("mail: the oldest job has waited") for p in health["problems"])
    assert any("no worker has run recently" in p for p in health["problems"])


def test_the_worker_records_its_heartbeat(app, engine):
    Runner(engine, app.config).run_once(interval=1)
    with new_session(engine) as s:
        beats = {b.kind: b for b in s.scalars(select(WorkerHeartbeat))}
    assert {"mail", "minutes", "scrub"} <= set(beats)
    assert all(b.failures == 0 and b.last_error is None for b in beats.values())


def test_the_worker_command_runs_every_kind_once(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 0, result.output
    assert "mail: 0" in result.output and "minutes: 0" in result.output
    bad = app.test_cli_runner().invoke(args=["worker", "--only", "nonsense"])
    assert bad.exit_code == 1 and "unknown job kind(s): nonsense" in bad.output
