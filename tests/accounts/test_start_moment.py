"""The start page knows the moment: a vote waiting for the member, else the next assembly."""

from __future__ import annotations

from datetime import timedelta

from governance.assemblies.models import AssemblyState
from governance.db import utcnow
from tests.factories_ballots import add_mandate, cast


def test_an_open_vote_puts_vote_now_on_top_linking_the_live_page(login, vote_world, make_poll):
    world = vote_world(members=3)
    poll = make_poll(world, title="Entlastung des Aufsichtsrats")
    member = login(world.users[0])
    page = member.get("/").get_data(as_text=True)
    assert 'id="start-moment"' in page and "Vote now" in page
    assert page.index("Vote now") < page.index('id="start-member"')
    assert f'href="/assemblies/{world.assembly_id}/live"' in page
    assert "Entlastung des Aufsichtsrats" in page
    cast(world, poll.id, 0, "YES")
    page = member.get("/").get_data(as_text=True)
    assert "Vote now" not in page  # voted: the next assembly (in session: follow it live)
    assert "In session: follow it live" in page


def test_a_proxy_is_asked_to_vote_for_the_member_they_represent(login, vote_world, make_poll):
    world = vote_world(members=3)
    add_mandate(world, principal=2, proxy=1)
    poll = make_poll(world)
    cast(world, poll.id, 1, "NO")
    page = login(world.users[1]).get("/").get_data(as_text=True)
    assert "Vote now" in page


def test_otherwise_the_next_assembly_with_agenda_deadline_and_participation(
    login, make_assembly, make_member, make_user, make_mandate
):
    me, proxy = make_member(), make_member()
    later = make_assembly(
        state=AssemblyState.CONVENED,
        members=[me, proxy],
        starts_at=utcnow() + timedelta(days=40),
        title="Spätere Versammlung",
    )
    soon = make_assembly(
        state=AssemblyState.CONVENED,
        members=[me, proxy],
        starts_at=utcnow() + timedelta(days=20),
        title="Ordentliche Generalversammlung",
        items=[
            {"title": t}
            for t in ("Bericht des Vorstands", "Jahresabschluss", "Entlastung", "Wahlen", "Sonst")
        ],
    )
    make_mandate(soon, me, proxy)
    page = login(make_user(member_id=me.id)).get("/").get_data(as_text=True)
    moment = page[page.index('id="start-moment"') : page.index("</section>")]
    assert "Next assembly" in moment and "Ordentliche Generalversammlung" in moment
    assert later.title not in moment
    assert "Bericht des Vorstands" in moment and "Wahlen" in moment
    assert "Sonst" not in moment and "and 1 more item" in moment
    assert "Proposals due by" in moment
    assert "You are on the voter roll." in moment
    assert f"Your proxy: {proxy.display_name}" in moment
    assert "Vote now" not in moment


def test_no_moment_without_an_assembly(login, make_user):
    page = login(make_user()).get("/").get_data(as_text=True)
    assert 'id="start-moment"' not in page
