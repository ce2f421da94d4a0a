"""The minutes list who spoke on each item (from the list of speakers): Wortmeldungen."""

from __future__ import annotations

from datetime import timedelta

from governance.assemblies.floor import Speaker, SpeakerState
from governance.minutes import rendering
from governance.register.models import Member
from tests.factories_minutes import STARTS
from tests.minutes.conftest import COOP, render, start
from tests.minutes.test_pdf import pdf_text


def _spoke(session, assembly_id: int, item_id: int, member_id: int, minute: int) -> None:
    at = STARTS + timedelta(minutes=minute)
    speaker = Speaker(
        assembly_id=assembly_id, agenda_item_id=item_id, member_id=member_id, requested_at=at
    )
    session.add(speaker)
    session.flush()
    speaker.state, speaker.started_at = SpeakerState.SPEAKING, at
    session.flush()
    speaker.state, speaker.ended_at = SpeakerState.DONE, at + timedelta(minutes=2)
    session.flush()


def test_the_minutes_list_the_speakers_of_each_item(session, make_held_assembly):
    held = make_held_assembly(participants=3)
    first, second = held.item_ids[0], held.item_ids[1]
    m = [session.get(Member, mid) for mid in held.member_ids]
    _spoke(session, held.assembly_id, first, m[2].id, 10)
    _spoke(session, held.assembly_id, first, m[0].id, 5)
    withdrawn = Speaker(assembly_id=held.assembly_id, agenda_item_id=second, member_id=m[1].id)
    session.add(withdrawn)
    session.flush()
    withdrawn.state = SpeakerState.WITHDRAWN
    session.commit()
    minutes = start(session, held)
    doc = rendering.document(session, minutes=minutes, coop=COOP)
    by_item = {item.id: item.speakers for item in doc.items}
    assert by_item[first] == (m[0].display_name, m[2].display_name)  # in the order they spoke
    assert by_item[second] == ()  # a withdrawn request is no speech
    flat = " ".join(" ".join(pdf_text(render(session, minutes).pdf)).split())
    assert f"Speakers: {m[0].display_name}, {m[2].display_name}" in flat
