"""The calendar entry (.ics) and the preview of the invitation before convening."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import func, select, update

from governance.accounts.models import Role, User
from governance.assemblies.models import AssemblyForm, AssemblyState, RollEntry
from governance.db import new_session, utcnow
from governance.mail import OutboxAttachment, OutboxMessage


def _event(data: bytes):
    cal = Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    return cal, event


def _edit(board, assembly, **changes):
    starts = assembly.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    data = {
        "title": assembly.title,
        "body": assembly.body.value,
        "kind": assembly.kind.value,
        "form": assembly.form.value,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": assembly.place,
        "remote_access": assembly.remote_access,
        "chair_user_id": 0,
        "secretary_user_id": 0,
        **changes,
    }
    r = board.post(f"/assemblies/{assembly.id}/edit", data=data)
    assert r.status_code == 302, r.text[:3000]


def test_the_ics_has_the_time_zone_a_stable_uid_and_a_rising_sequence(login, make_assembly):
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=40)
    assembly = make_assembly(starts_at=starts, place="Gemeinschaftssaal")
    board = login(roles=[Role.BOARD])
    r = board.get(f"/assemblies/{assembly.id}/calendar.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal, event = _event(r.data)
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=3)
    assert str(event["LOCATION"]) == "Gemeinschaftssaal"
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert sequence == 0 and uid.startswith(f"assembly-{assembly.id}@")

    _edit(board, assembly, place="Rathaus, Saal 2")
    _cal, changed = _event(board.get(f"/assemblies/{assembly.id}/calendar.ics").data)
    assert str(changed["UID"]) == uid and int(changed["SEQUENCE"]) == 1
    assert str(changed["LOCATION"]) == "Rathaus, Saal 2"
    later = (starts + timedelta(days=1)).astimezone(ZoneInfo("Europe/Berlin"))
    _edit(board, assembly, place="Rathaus, Saal 2", starts_at=later.strftime("%Y-%m-%dT%H:%M"))
    _cal, moved = _event(board.get(f"/assemblies/{assembly.id}/calendar.ics").data)
    assert int(moved["SEQUENCE"]) == 2 and moved.decoded("DTSTART") == starts + timedelta(days=1)


def test_the_access_data_only_in_the_copy_of_those_on_the_roll(
    login, make_user, make_member, make_assembly
):
    on_roll, outsider = make_member(), make_member()
    assembly = make_assembly(
        state=AssemblyState.CONVENED,
        form=AssemblyForm.HYBRID,
        members=[on_roll],
        remote_access="Videokonferenz: https://meet.example.org/gv-geheim",
    )
    url = f"/assemblies/{assembly.id}/calendar.ics"
    _c, mine = _event(login(make_user(member_id=on_roll.id)).get(url).data)
    assert "meet.example.org/gv-geheim" in str(mine["DESCRIPTION"])
    assert f"/assemblies/{assembly.id}/live" in str(mine["DESCRIPTION"])
    _c, theirs = _event(login(make_user(member_id=outsider.id)).get(url).data)
    assert "gv-geheim" not in str(theirs["DESCRIPTION"])
    assert "/live" not in str(theirs["DESCRIPTION"])


def test_the_preview_shows_the_invitation_and_the_counts_and_sends_nothing(
    app, session, login, make_member, make_assembly
):
    for i in range(3):
        make_member(email=f"m{i}@example.org")
    make_member()  # no email: by letter post
    assembly = make_assembly(starts_at=utcnow() + timedelta(days=30), form=AssemblyForm.HYBRID)
    board = login(roles=[Role.BOARD])
    page = board.get(f"/assemblies/{assembly.id}/convene").text
    assert 'id="recipients-email">3<' in page and 'id="recipients-post">1<' in page
    assert "Preview of the invitation" in page and "Invitation: Generalversammlung" in page
    assert 'id="preview-text"' in page and 'id="preview-html"' in page
    assert "TOP 1" in page and "Access data for remote participation" in page
    assert "personal login link" in page and "assembly-" in page and ".ics" in page
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert session.scalar(select(func.count()).select_from(RollEntry)) == 0
    assert "Convene now and send the invitations" in page


def test_the_invitation_comes_as_text_and_html_with_the_calendar_entry(
    app, login, make_member, make_assembly, smtp, deliver_mail
):
    make_member(email="anna@example.org")
    assembly = make_assembly(starts_at=utcnow() + timedelta(days=30))
    board = login(roles=[Role.BOARD])
    assert board.post(f"/assemblies/{assembly.id}/convene").status_code == 302
    assert deliver_mail() == (1, 0)
    (mail,) = smtp.messages
    assert mail.get_body(("plain",)).get_content().count("TOP 1") == 1
    assert "<h2>" in mail.get_body(("html",)).get_content()
    (ics,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == f"assembly-{assembly.id}.ics"
    _cal, event = _event(ics.get_payload(decode=True))
    assert str(event["UID"]).startswith(f"assembly-{assembly.id}@")


def test_each_member_s_calendar_entry_names_the_live_page_in_their_language(
    app, login, make_member, make_user, make_assembly
):
    """The invitation's calendar entry is in the member's language as its text is."""
    anna, ben = make_member(email="anna@example.org"), make_member(email="ben@example.org")
    for member, locale in ((anna, "de"), (ben, "en")):
        user = make_user(member_id=member.id, email=member.email)
        with new_session(app.extensions["governance.engine"]) as s:
            s.execute(update(User).where(User.id == user.id).values(locale=locale))
            s.commit()
    assembly = make_assembly(starts_at=utcnow() + timedelta(days=30), form=AssemblyForm.VIRTUAL)
    assert login(roles=[Role.BOARD]).post(f"/assemblies/{assembly.id}/convene").status_code == 302
    with new_session(app.extensions["governance.engine"]) as s:
        entries = dict(
            s.execute(
                select(OutboxMessage.to_addr, OutboxAttachment.data).join(
                    OutboxAttachment, OutboxAttachment.message_id == OutboxMessage.id
                )
            ).all()
        )
    for address, label in (("anna@example.org", "Live-Seite"), ("ben@example.org", "Live page")):
        _cal, event = _event(entries[address])
        assert label in str(event["DESCRIPTION"]), address
