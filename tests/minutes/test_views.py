"""The whole minutes flow through the UI: draft, render, sign, publish, download, mail."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from governance.assemblies.models import Assembly, AssemblyState
from governance.db import new_session
from governance.minutes.models import RenderJob
from governance.notify.worker import run_pass as notify_pass
from governance.register.models import Member
from tests.minutes.test_pdf import pdf_text


def _sha_on_page(client, aid: int) -> str:
    page = client.get(f"/assemblies/{aid}/minutes").get_data(as_text=True)
    match = re.search(r'id="draft-sha">([0-9a-f]{64})<', page)
    assert match, page
    return match.group(1)


def _draft(secretary, held, members) -> str:
    """The secretary starts, writes, records an objection and renders; returns the PDF's hash."""
    aid, item = held.assembly_id, held.item_ids[1]
    assert b"Start the minutes" in secretary.get(f"/assemblies/{aid}/minutes").data
    assert secretary.post(f"/assemblies/{aid}/minutes/start").status_code == 302
    page = secretary.get(f"/assemblies/{aid}/minutes/items/{item}").get_data(as_text=True)
    assert "Results are taken from the sealed ballot box" in page
    text = {
        "discussion": "Frau Beispiel fragt nach den Kosten.",
        "motions": "Antrag auf Vertagung, abgelehnt.",
    }
    assert secretary.post(f"/assemblies/{aid}/minutes/items/{item}", data=text).status_code == 302
    objection = {
        "member_number": members[2].number,
        "poll_id": str(held.poll_ids[0]),
        "statement": "Widerspruch gegen den Beschluss.",
    }
    r = secretary.post(f"/assemblies/{aid}/minutes/items/{item}/objections", data=objection)
    assert r.status_code == 302
    assert secretary.post(f"/assemblies/{aid}/minutes/render").status_code == 302
    return _sha_on_page(secretary, aid)


def _sign_and_publish(login, held, sha: str) -> None:
    aid = held.assembly_id
    for user in (held.chair, held.board):
        r = login(user).post(
            f"/assemblies/{aid}/minutes/approve", data={"pdf_sha256": sha}, follow_redirects=True
        )
        assert b"Your approval is recorded." in r.data
    supervisor = login(held.supervisor)
    assert b"Publish the signed minutes" in supervisor.get(f"/assemblies/{aid}/minutes").data
    r = supervisor.post(
        f"/assemblies/{aid}/minutes/publish", data={"reason": ""}, follow_redirects=True
    )
    assert b"Version 1 is published; the members on the roll are notified." in r.data


def test_full_flow_through_the_ui(app, engine, login, make_held_assembly, deliver_mail, smtp):
    held = make_held_assembly(participants=4)
    aid = held.assembly_id
    with new_session(engine) as s:
        members = [s.get(Member, m) for m in held.member_ids]
    sha = _draft(login(held.secretary), held, members)
    _sign_and_publish(login, held, sha)

    reader = login(roles=["MEMBER"])
    versions = reader.get(f"/assemblies/{aid}/minutes/versions").get_data(as_text=True)
    # The checksum waits, collapsed, in "Technical verification data"; the download stands out.
    tech = re.search(r'<details class="tech">.*?</details>', versions, re.S)
    assert tech and sha in tech.group(0) and versions.count(sha) == 1
    assert f'class="button" href="/assemblies/{aid}/minutes/versions/1.pdf"' in versions
    download = reader.get(f"/assemblies/{aid}/minutes/versions/1.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == sha == download.headers["X-Content-SHA256"]
    text = " ".join(" ".join(pdf_text(download.data)).split())
    for element in (
        "Frau Beispiel fragt nach den Kosten.",
        "Antrag auf Vertagung, abgelehnt.",
        "Widerspruch gegen den Beschluss.",
        members[2].number,
        "Declaration of the chair",
    ):
        assert element in text, element

    with new_session(engine) as s:
        assert s.get(Assembly, aid).state == AssemblyState.MINUTES_PUBLISHED
    assert notify_pass(engine, app.config) == 4  # the worker writes the mails (governance.notify)
    assert deliver_mail()[0] == 4
    mail = smtp.to(members[3].email)[0]
    assert mail["Subject"].startswith("Minutes of") and "published" in mail["Subject"]
    assert f"/assemblies/{aid}/minutes/versions" in mail.get_body(("plain",)).get_content()
    assert sha in mail.get_body(("html",)).get_content()


def test_changing_the_draft_asks_for_new_approvals(app, login, make_held_assembly):
    held = make_held_assembly()
    aid = held.assembly_id
    secretary = login(held.secretary)
    secretary.post(f"/assemblies/{aid}/minutes/start")
    secretary.post(f"/assemblies/{aid}/minutes/render")
    sha = _sha_on_page(secretary, aid)
    chair = login(held.chair)
    chair.post(f"/assemblies/{aid}/minutes/approve", data={"pdf_sha256": sha})
    secretary.post(f"/assemblies/{aid}/minutes/general", data={"preamble": "Neu", "closing": ""})
    page = chair.get(f"/assemblies/{aid}/minutes").get_data(as_text=True)
    assert "There is no PDF of the current draft." in page
    assert "Earlier approvals (no longer valid)" in page
    r = chair.post(
        f"/assemblies/{aid}/minutes/approve", data={"pdf_sha256": sha}, follow_redirects=True
    )
    assert b"Render the current draft first" in r.data


def test_incomplete_minutes_list_what_is_missing(app, login, make_held_assembly):
    held = make_held_assembly(declared=False, evidence=False)
    secretary = login(held.secretary)
    secretary.post(f"/assemblies/{held.assembly_id}/minutes/start")
    page = secretary.get(f"/assemblies/{held.assembly_id}/minutes").get_data(as_text=True)
    assert 'data-code="declaration"' in page and 'data-code="convening"' in page
    assert "The minutes cannot be approved while anything is missing." in page


def test_large_assemblies_are_rendered_by_the_worker(app, engine, login, make_held_assembly):
    app.config["MINUTES_INLINE_RENDER_MAX"] = 2
    held = make_held_assembly(participants=4)
    aid = held.assembly_id
    secretary = login(held.secretary)
    secretary.post(f"/assemblies/{aid}/minutes/start")
    r = secretary.post(f"/assemblies/{aid}/minutes/render", follow_redirects=True)
    assert b"being rendered by the worker" in r.data
    assert b'id="render-status">queued<' in r.data and b'http-equiv="refresh"' in r.data
    result = app.test_cli_runner().invoke(args=["minutes", "worker"])
    assert result.exit_code == 0, result.output
    assert "done" in result.output
    page = secretary.get(f"/assemblies/{aid}/minutes").get_data(as_text=True)
    assert 'id="render-status">done<' in page
    with new_session(engine) as s:
        job = s.scalars(select(RenderJob)).one()
        assert job.page_count >= 1 and job.participant_count == 4


def test_cli_render(app, login, make_held_assembly):
    held = make_held_assembly()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["minutes", "render", str(held.assembly_id)])
    assert result.exit_code == 1 and "has no minutes" in result.output
    login(held.secretary).post(f"/assemblies/{held.assembly_id}/minutes/start")
    result = runner.invoke(args=["minutes", "render", str(held.assembly_id)])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"render \d+: done, revision 1, \d+ pages, 4 participants, sha256 [0-9a-f]{64}",
        result.output,
    )


def test_objection_to_the_item_as_a_whole(app, engine, login, make_held_assembly):
    held = make_held_assembly(polls=0)
    with new_session(engine) as s:
        number = s.get(Member, held.member_ids[1]).number
    secretary = login(held.secretary)
    secretary.post(f"/assemblies/{held.assembly_id}/minutes/start")
    url = f"/assemblies/{held.assembly_id}/minutes/items/{held.item_ids[0]}"
    assert 'name="poll_id"' not in secretary.get(url).get_data(as_text=True)
    r = secretary.post(f"{url}/objections", data={"member_number": number.lower(), "statement": ""})
    assert r.status_code == 302
    assert number in secretary.get(url).get_data(as_text=True)
    r = secretary.post(f"{url}/objections", data={"member_number": "M-9999999"})
    assert r.status_code == 400 and b"No member has this number." in r.data
