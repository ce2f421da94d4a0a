"""Notifications: every kind reaches the member through real SMTP (aiosmtpd), in the member's
language, with a plain-text and an HTML part; the reminder is recorded once; optional mails
can be switched off, the notices of convening cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from governance.accounts.models import Role, User
from governance.assemblies.attachments import add_attachment
from governance.assemblies.models import AssemblyForm, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.assemblies.services import open_session
from governance.ballots.models import Poll
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import new_session, utcnow
from governance.errors import DomainError
from governance.notify import services
from governance.notify.models import Kind, MailState, Notification, Topic
from governance.notify.worker import run_pass
from governance.proposals.models import ProposalState, SubmitterKind
from governance.proposals.services import (
    ProposalData,
    admit_proposal,
    decide,
    submit_proposal,
)
from tests.factories_ballots import cast


def notify_pass(app) -> int:
    return run_pass(app.extensions["governance.engine"], app.config)


def _user(app, make_user, member, locale, roles=(Role.MEMBER,)) -> User:
    user = make_user(roles=list(roles), email=member.email, member_id=member.id)
    with new_session(app.extensions["governance.engine"]) as s:
        s.get(User, user.id).locale = locale
        s.commit()
    return user


@pytest.fixture
def people(app, make_member, make_user):
    """Anna (German), Ben (English), Carl (no email address)."""
    anna = make_member(email="anna@example.org", first_names="Anna", last_name="Adler")
    ben = make_member(email="ben@example.org", first_names="Ben", last_name="Brown")
    carl = make_member(email=None, first_names="Carl", last_name="Claus")
    users = (_user(app, make_user, anna, "de"), _user(app, make_user, ben, "en"))
    return anna, ben, carl, users


def _plain(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _html(mail) -> str:
    return mail.get_body(("html",)).get_content()


def _count(session, **where) -> int:
    query = select(func.count()).select_from(Notification)
    for key, value in where.items():
        query = query.where(getattr(Notification, key) == value)
    return int(session.scalar(query))


def test_reminder_once_per_member_in_their_language(
    app, session, people, make_assembly, smtp, deliver_mail
):
    anna, ben, carl, _users = people
    soon = make_assembly(
        state=AssemblyState.CONVENED,
        starts_at=utcnow() + timedelta(hours=20),
        members=[anna, ben, carl],
        title="Generalversammlung 2025",
        place="Gemeindesaal",
    )
    make_assembly(state=AssemblyState.CONVENED, members=[anna])  # in 30 days: not yet

    assert notify_pass(app) == 3
    assert notify_pass(app) == 0  # never twice
    assert _count(session, kind=Kind.REMINDER) == 3
    assert _count(session, kind=Kind.REMINDER, state=MailState.NO_ADDRESS) == 1
    assert deliver_mail() == (2, 0)

    (german,) = smtp.to("anna@example.org")
    assert german["Subject"].startswith("Erinnerung: Generalversammlung 2025 beginnt am")
    assert "Anna Adler" in _plain(german)
    assert "Gemeindesaal" in _plain(german)
    assert f"/assemblies/{soon.id}" in _html(german) and 'lang="de"' in _html(german)
    (english,) = smtp.to("ben@example.org")
    assert english["Subject"].startswith("Reminder: Generalversammlung 2025 begins on")
    assert "this is a reminder" in _plain(english) and 'lang="en"' in _html(english)

    # The database itself refuses a second reminder for the same member and assembly.
    key = f"reminder:{soon.id}:{anna.id}"
    session.rollback()
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        session.execute(
            text(
                "INSERT INTO notification (kind, mailing_id, member_id, title, created_at, state,"
                " once_key) SELECT kind, mailing_id, member_id, title, created_at, state, :k"
                " FROM notification WHERE once_key = :same"
            ),
            {"k": key, "same": key},
        )
        session.flush()


def test_optional_mails_can_be_switched_off_the_notices_cannot(
    app, session, people, login, make_assembly, smtp, deliver_mail
):
    anna, ben, _carl, (anna_user, _ben_user) = people
    client = login(anna_user)
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'type="checkbox" checked disabled' in page  # the invitation: always
    assert 'name="reminder"' in page and 'name="invitation"' not in page
    r = client.post("/notifications/", data={"documents": "y", "results": "y", "invitation": ""})
    assert r.status_code == 302
    session.rollback()
    prefs = services.preferences(session, user_id=anna_user.id)
    assert prefs[Topic.REMINDER] is False and prefs[Topic.DOCUMENTS] is True

    with pytest.raises(DomainError, match="required by law"):
        services.set_preferences(session, user=anna_user, choices={Topic.INVITATION: False})
    with pytest.raises(IntegrityError, match=r"ck_preference_optional"):
        session.execute(
            text(
                "INSERT INTO notification_preference (user_id, topic, enabled)"
                " VALUES (:u, 'INVITATION', false)"
            ),
            {"u": anna_user.id},
        )
        session.flush()
    session.rollback()

    # The reminder respects the choice; the invitation (convened through the page) does not ask.
    make_assembly(
        state=AssemblyState.CONVENED,
        starts_at=utcnow() + timedelta(hours=3),
        members=[anna, ben],
    )
    notify_pass(app)
    assert _count(session, kind=Kind.REMINDER, state=MailState.OFF) == 1
    draft = make_assembly(title="Außerordentliche Versammlung")
    board = login(roles=[Role.BOARD])
    assert board.post(f"/assemblies/{draft.id}/convene").status_code == 302
    notify_pass(app)
    deliver_mail()
    subjects = [m["Subject"] for m in smtp.to("anna@example.org")]
    assert len(subjects) == 1 and "Außerordentliche Versammlung" in subjects[0]
    assert any("Reminder" in m["Subject"] for m in smtp.to("ben@example.org"))
    # The invitation in Anna's language, with an HTML part; on her start page too.
    invitation = smtp.to("anna@example.org")[0]
    assert "wir laden Sie" in _plain(invitation) and "<p>" in _html(invitation)
    start = client.get("/").get_data(as_text=True)
    assert "Außerordentliche Versammlung" in start and "Einladung" in start


def test_proposal_received_admitted_and_rejected_with_the_reason(
    app, session, people, make_user, make_assembly, smtp, deliver_mail
):
    anna, ben, _carl, (anna_user, ben_user) = people
    board = make_user(roles=[Role.BOARD], email="vorstand@example.org")
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[anna, ben])
    now = utcnow()
    submitted = []
    for member, user, title in ((anna, anna_user, "Solaranlage"), (ben, ben_user, "Bike shed")):
        submitted.append(
            submit_proposal(
                session,
                assembly=assembly,
                kind=SubmitterKind.MEMBER,
                data=ProposalData(title=title, text="Der Antrag."),
                actor=user,
                now=now,
                deadline=now + timedelta(days=3),
                member=member,
            )
        )
    admit_proposal(
        session, proposal=submitted[0], assembly=assembly, agenda_item_id=None, actor=board
    )
    decide(
        session,
        proposal=submitted[1],
        target=ProposalState.REJECTED,
        actor=board,
        now=now,
        note="Not a matter for the general assembly.",
    )
    session.commit()
    assert notify_pass(app) == 6  # 2 received, 2 to the board, 2 decisions
    deliver_mail()

    anna_mails = {m["Subject"]: _plain(m) for m in smtp.to("anna@example.org")}
    assert "Ihr Antrag „Solaranlage“ ist eingegangen" in anna_mails
    assert "Ihr Antrag „Solaranlage“ ist zur Tagesordnung zugelassen" in anna_mails
    ben_mails = {m["Subject"]: _plain(m) for m in smtp.to("ben@example.org")}
    rejected = ben_mails["Your proposal “Bike shed” is not admitted to the agenda"]
    assert "Reason: Not a matter for the general assembly." in rejected
    board_subjects = sorted(m["Subject"] for m in smtp.to("vorstand@example.org"))
    assert len(board_subjects) == 2 and all("New proposal" in s for s in board_subjects)


def test_started_documents_and_results(
    app,
    session,
    people,
    make_assembly,
    vote_world,
    make_poll,
    smtp,
    deliver_mail,
    tmp_path,
    make_user,
):
    anna, ben, _carl, (anna_user, _ben_user) = people
    services.set_preferences(session, user=anna_user, choices={Topic.STARTED: True})
    session.commit()
    assembly = make_assembly(
        state=AssemblyState.CONVENED,
        form=AssemblyForm.HYBRID,
        starts_at=utcnow() + timedelta(minutes=5),
        members=[anna, ben],
        place="Saal",
        chair=make_user(roles=[Role.BOARD]),  # an assembly is opened only with a chair
    )
    item = session.scalar(select(AgendaItem).where(AgendaItem.assembly_id == assembly.id))
    add_attachment(
        session,
        item=item,
        filename="Jahresabschluss.txt",
        data=b"Bilanz",
        upload_dir=str(tmp_path),
        max_bytes=1000,
        actor=None,
    )
    open_session(session, assembly=assembly, actor=None, now=utcnow())
    session.commit()
    notify_pass(app)
    deliver_mail()
    anna_subjects = [m["Subject"] for m in smtp.to("anna@example.org")]
    assert any("Jahresabschluss.txt" in s for s in anna_subjects)
    assert any(s.endswith("hat begonnen") for s in anna_subjects)
    ben_subjects = [m["Subject"] for m in smtp.to("ben@example.org")]
    assert any("New document" in s for s in ben_subjects)
    assert not any("has started" in s for s in ben_subjects)  # only who asked for it

    world = vote_world(members=3)
    poll = make_poll(world, title="Entlastung des Vorstands")
    for i in range(3):
        cast(world, poll.id, i, "YES")
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        publish_poll(
            s, poll=s.get(Poll, poll.id), actor=None, declaration="Angenommen.", now=utcnow()
        )
        s.commit()
    assert notify_pass(app) == 3
    deliver_mail()
    voter = world.users[0]
    (result,) = smtp.to(voter.email)
    assert "Entlastung des Vorstands" in result["Subject"]
    assert "Angenommen." in _plain(result) and f"/polls/{poll.id}" in _plain(result)
