"""The steps of the assembly story (test_story.py), each as the people concerned do it.

Every step drives the real pages of the app under gunicorn through Debian's Chromium; only
the clock is helped along (helpers.fortnight_passes). Selectors are name/id attributes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select, update

from governance.assemblies.models import Assembly
from governance.assemblies.models_agenda import AgendaItem
from governance.db import new_session, utcnow
from governance.jobs import Runner
from governance.register.models import Member
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import SUBMIT, go, local, mailed_link, new_page, submit_and_wait

VOTERS = 20  # browser contexts casting in the same window
IMPORTED = 20  # members imported by CSV: 19 voters and one absent principal
CHOICES = ("YES", "YES", "YES", "NO", "ABSTAIN")  # voter i votes CHOICES[i % 5]
TITLE = "Feststellung des Jahresabschlusses 2025"
VOTE_HREF = re.compile(r"/polls/\d+/vote$")


@dataclass
class Voter:
    email: str
    choice: str
    page: Any = None
    member_id: int = 0
    number: str = ""
    principal: Member | None = None  # the absent member this voter holds a proxy for
    trackers: list[str] = field(default_factory=list)
    present: bool = False  # the live page's heartbeat has been answered

    def watch(self, page: Any) -> None:
        self.page = page
        page.on("response", lambda r: self._saw(r))

    def _saw(self, response: Any) -> None:
        if _is_heartbeat(response):
            self.present = self.present or response.ok


def _is_heartbeat(response: Any) -> bool:
    return bool(response.url.endswith("/heartbeat"))


def members_csv() -> bytes:
    """20 members, one share each; the last one gives a proxy and stays away."""
    lines = ["last_name,first_names,email,entry_date,shares,reference,city"]
    for i in range(1, IMPORTED + 1):
        lines.append(f"Mitglied{i:02d},Eva,m{i:02d}@e2e.example,2020-01-01,1,IMPORT-{i:04d},Köln")
    return ("\n".join(lines) + "\n").encode()


def add_member_by_form(page: Any, url: str, shots: Any) -> None:
    """The board adds Erika Neu by hand and books her two shares."""
    page.goto(url + "/register/members/new")
    page.fill("input[name=last_name]", "Neu")
    page.fill("input[name=first_names]", "Erika")
    page.fill("input[name=street]", "Am Markt 1")
    page.fill("input[name=postal_code]", "50667")
    page.fill("input[name=city]", "Köln")
    page.fill("input[name=email]", "erika.neu@e2e.example")
    page.fill("input[name=entry_date]", "2024-03-01")
    shots(page, "board-new-member")
    submit_and_wait(page)
    page.click("a[href$='/subscribe']")
    page.fill("input[name=share_count]", "2")
    page.fill("input[name=reference]", "BEITRITT-NEU-1")
    submit_and_wait(page)
    expect(page.locator("#main")).to_contain_text("Erika")
    shots(page, "board-member-with-shares")


def import_members(page: Any, url: str, shots: Any) -> None:
    """The board imports 20 members from a CSV file (no dry run)."""
    page.goto(url + "/register/import")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "mitglieder.csv", "mimeType": "text/csv", "buffer": members_csv()}],
    )
    page.uncheck("input[name=dry_run]")
    submit_and_wait(page)
    expect(page.locator("#import-result")).to_contain_text(str(IMPORTED))
    expect(page.locator("#import-errors")).to_have_count(0)
    shots(page, "board-imported-members")


def prepare_assembly(page: Any, url: str, chair_id: int, secretary_id: int, shots: Any) -> int:
    """A hybrid general assembly 15 days ahead with two agenda items."""
    page.goto(url + "/assemblies/new")
    page.fill("input[name=title]", "Ordentliche Generalversammlung 2026")
    page.select_option("select[name=form]", "HYBRID")
    page.fill("input[name=starts_at]", local(utcnow() + timedelta(days=15)))
    page.fill("input[name=place]", "Gemeinschaftssaal, Köln")
    page.fill("textarea[name=remote_access]", "Online über die Live-Seite")
    page.select_option("select[name=chair_user_id]", str(chair_id))
    page.select_option("select[name=secretary_user_id]", str(secretary_id))
    shots(page, "board-new-assembly")
    submit_and_wait(page)
    assembly_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    for title, kind in (("Bericht des Vorstands", "INFORMATION"), (TITLE, "RESOLUTION")):
        page.goto(f"{url}/assemblies/{assembly_id}/agenda/new")
        page.fill("input[name=title]", title)
        page.select_option("select[name=kind]", kind)
        submit_and_wait(page)
    shots(page, "board-agenda")
    return assembly_id


def convene(page: Any, url: str, assembly_id: int, shots: Any) -> None:
    page.goto(f"{url}/assemblies/{assembly_id}/convene")
    shots(page, "board-convene")
    submit_and_wait(page)
    expect(page).to_have_url(f"{url}/assemblies/{assembly_id}/evidence")
    shots(page, "board-convening-evidence")


def log_in_by_mail(browser: Any, url: str, smtp: Any, voter: Voter) -> None:
    """The voter follows the login link of their invitation and confirms it."""
    voter.watch(new_page(browser))
    voter.page.goto(url + mailed_link(smtp, voter.email))
    submit_and_wait(voter.page)
    expect(voter.page).to_have_url(url + "/")


def all_log_in_by_mail(browser: Any, url: str, smtp: Any, voters: list[Voter]) -> None:
    """Many members at once follow their links: every page loads while the others do."""
    import time

    t0 = time.monotonic()
    for v in voters:
        v.watch(new_page(browser))
    print("contexts", time.monotonic() - t0)
    for v in voters:
        go(v.page, url + mailed_link(smtp, v.email))
    print("go", time.monotonic() - t0)
    for v in voters:
        v.page.click(SUBMIT, no_wait_after=True)
    print("click", time.monotonic() - t0)
    for v in voters:
        v.page.wait_for_url(url + "/")
    print("wait", time.monotonic() - t0)
    expect(voters[-1].page.locator("#start-member")).to_be_visible()


def first_member_logs_in(browser: Any, url: str, smtp: Any, voter: Voter, shots: Any) -> None:
    """The first member reads the invitation, logs in, sees the dashboard (axe-checked)."""
    log_in_by_mail(browser, url, smtp, voter)
    expect(voter.page.locator("#start-member")).to_be_visible()
    assert axe_violations(voter.page) == []
    shots(voter.page, "member-dashboard")


def resolve_voters(engine: Any, voters: list[Voter]) -> Member:
    """Member ids and numbers of the voters; the principal (absent, represented) is returned."""
    with new_session(engine) as s:
        rows = {m.email: m for m in s.scalars(select(Member)).all()}
        for v in voters:
            v.member_id, v.number = rows[v.email].id, rows[v.email].number
        principal = rows[f"m{IMPORTED:02d}@e2e.example"]
        s.expunge_all()
        return principal


def open_assembly(page: Any, url: str, assembly_id: int, shots: Any) -> None:
    page.goto(f"{url}/assemblies/{assembly_id}")
    submit_and_wait(page, "#chair form[action$='/open'] button[type=submit]")
    expect(page.locator("#chair form[action$='/close']")).to_be_visible()
    shots(page, "chair-opened-assembly")


def check_in(page: Any, url: str, assembly_id: int, numbers: list[str], shots: Any) -> None:
    """The secretary finds members by number and checks them in at the door."""
    for number in numbers:
        page.goto(f"{url}/assemblies/{assembly_id}/check-in")
        page.fill("input[name=q]", number)
        submit_and_wait(page, "#main form[role=search] button[type=submit]")
        submit_and_wait(page, "#found form[action*='/check-in/'] button[type=submit]")
        expect(page.locator("#found form[action*='/check-out/']")).to_have_count(1)
    shots(page, "secretary-check-in")


def proxy_listed(page: Any, url: str, assembly_id: int, principal: str) -> None:
    """The secretary sees the member's accepted proxy among the mandates and the grants."""
    page.goto(f"{url}/assemblies/{assembly_id}/mandates")
    expect(page.locator("#mandates tbody tr")).to_have_count(1)
    expect(page.locator("#mandates")).to_contain_text(principal)
    expect(page.locator("#grant-list")).to_contain_text(principal)


def give_proxy_on_own_page(
    browser: Any,
    url: str,
    smtp: Any,
    assembly_id: int,
    principal: Member,
    holder: Voter,
    shots: Any,
) -> None:
    """The absent member logs in by their link and gives the proxy on "Meine Teilnahme"; the
    holder accepts it on theirs (only then does it count)."""
    page = new_page(browser)
    page.goto(url + mailed_link(smtp, principal.email or ""))
    submit_and_wait(page)
    page.goto(f"{url}/assemblies/{assembly_id}/me")
    page.fill("input[name=holder]", holder.number)
    page.check("input[name=confirm]")
    submit_and_wait(page, "#give-proxy button[type=submit]")
    expect(page.locator("#my-grant")).to_contain_text(holder.number)
    shots(page, "member-gave-proxy")
    page.context.close()
    holder.page.goto(f"{url}/assemblies/{assembly_id}/me")
    submit_and_wait(holder.page, "#offered form button[type=submit]")
    expect(holder.page.locator("#represented")).to_contain_text(principal.number)
    shots(holder.page, "holder-accepted-proxy")


def join_live(voters: list[Voter], url: str, assembly_id: int) -> None:
    """Every voter opens the live page; its heartbeat makes them present (online or room)."""
    for v in voters:
        go(v.page, f"{url}/assemblies/{assembly_id}/live")
    for v in voters:
        if not v.present:
            v.page.wait_for_event("response", predicate=_is_heartbeat)
        assert v.present
    # No poll is open: the vote link has no target. (It should also be invisible, but the
    # stylesheet's `.button { display: inline-block }` overrides its `hidden` attribute.)
    expect(voters[-1].page.locator("#live-vote")).to_have_attribute("hidden", "")
    expect(voters[-1].page.locator("#live-vote")).not_to_have_attribute("href", VOTE_HREF)


def prepare_and_open_poll(page: Any, url: str, assembly_id: int, shots: Any) -> int:
    """The chair prepares the secret poll on the resolution item and opens it."""
    page.goto(f"{url}/polls/assembly/{assembly_id}/new")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=description]", "Der Jahresabschluss 2025 wird festgestellt.")
    item = page.locator("select[name=agenda_item_id] option", has_text=TITLE)
    page.select_option("select[name=agenda_item_id]", item.get_attribute("value"))
    page.select_option("select[name=majority]", "SIMPLE")
    page.check("input[name=secret]")
    page.check("input[name=publish_choices]")
    submit_and_wait(page)
    poll_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    submit_and_wait(page, "#manage form[action$='/open'] button[type=submit]")
    expect(page.locator("#manage form[action$='/close']")).to_be_visible()
    shots(page, "chair-opened-poll")
    return poll_id


def close_poll(page: Any, url: str, poll_id: int, shots: Any) -> None:
    """The chair closes (and so seals) the poll."""
    page.goto(f"{url}/polls/{poll_id}")
    submit_and_wait(page, "#manage form[action$='/close'] button[type=submit]")
    expect(page.locator("code.hash")).to_be_visible()  # the seal (Merkle root)
    shots(page, "chair-closed-and-sealed")


def declare(page: Any, url: str, poll_id: int, shots: Any) -> None:
    """The chair reviews the count of the sealed poll and publishes it."""
    page.goto(f"{url}/polls/{poll_id}/declare")
    page.check("input[name=confirm]")
    shots(page, "chair-declare")
    submit_and_wait(page)
    expect(page).to_have_url(f"{url}/polls/{poll_id}/results")
    expect(page.locator("#declaration")).to_be_visible()


# The mails a member gets (issue #17): each read from aiosmtpd, in German, text and HTML.
PROPOSAL = "Photovoltaik auf dem Gemeinschaftsdach"
REASON = "Der Vorstand legt ein Gutachten zur nächsten Versammlung vor."
DOCUMENT = "Lagebericht-2025.txt"


def notifier(app: Any, engine: Any, deliver_mail: Any) -> Any:
    """One pass of the worker's kind "notify" (reminders due, mails written), then delivery.

    The worker writes in the cooperative's language, German, like the server under test (the
    test app's default is English)."""

    def run() -> None:
        default = app.config["BABEL_DEFAULT_LOCALE"]
        app.config["BABEL_DEFAULT_LOCALE"] = "de"
        try:
            Runner(engine, app.config, only=("notify",)).run_once(interval=1)
        finally:
            app.config["BABEL_DEFAULT_LOCALE"] = default
        deliver_mail()

    return run


def read_mail(smtp: Any, address: str, subject: str, *parts: str) -> None:
    """The last mail to `address` whose subject holds `subject`: German, with a plain-text
    and an HTML part, each holding `parts`."""
    found = [m for m in smtp.to(address) if subject in str(m["Subject"])]
    assert found, (
        f"no mail “{subject}” to {address}: {[str(m['Subject']) for m in smtp.to(address)]}"
    )
    plain = found[-1].get_body(preferencelist=("plain",)).get_content()
    rich = found[-1].get_body(preferencelist=("html",))
    assert rich is not None and rich.get_content_type() == "text/html", subject
    page = rich.get_content()
    assert '<html lang="de"' in page, subject
    for part in ("Guten Tag", *parts):
        assert part in plain, f"“{part}” not in the text of “{subject}”:\n{plain}"
        assert html.escape(part) in page, f"“{part}” not in the HTML of “{subject}”:\n{page}"


def board_sees_delivery(page: Any, url: str, assembly_id: int, smtp: Any, shots: Any) -> None:
    """After the run the convening evidence counts every invitation delivered, none failed."""
    subjects = [str(m["Subject"]) for m in smtp.messages]
    sent = sum(s.startswith("Einladung") for s in subjects)
    assert sent > IMPORTED, subjects
    page.goto(f"{url}/assemblies/{assembly_id}/evidence")
    expect(page.locator("#main p.delivery").first).to_contain_text(
        f"{sent} zugestellt, 0 noch in der Warteschlange, 0 gescheitert"
    )
    shots(page, "board-delivery-counts")


def invitation_read(smtp: Any, member: Voter, assembly_id: int) -> None:
    read_mail(
        smtp,
        member.email,
        "Einladung",
        "Ordentliche Generalversammlung 2026",
        "Tagesordnung",
        TITLE,
    )


def member_chooses_mails(page: Any, url: str, shots: Any) -> None:
    """The member asks for the mail that the assembly has started (off unless asked for)."""
    page.goto(url + "/notifications/")
    page.check("input[name=started]")
    submit_and_wait(page, "#preferences button[type=submit]")
    expect(page.locator("input[name=started]")).to_be_checked()
    shots(page, "member-chooses-mails")


def member_proposes(page: Any, url: str, assembly_id: int, shots: Any) -> int:
    """Before the deadline the member submits a proposal to the assembly."""
    page.goto(f"{url}/proposals/assembly/{assembly_id}/new")
    page.fill("input[name=title]", PROPOSAL)
    page.fill("textarea[name=text]", "Die Genossenschaft lässt eine Photovoltaikanlage planen.")
    submit_and_wait(page)
    shots(page, "member-proposal-submitted")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def board_rejects_proposal(page: Any, url: str, proposal_id: int, shots: Any) -> None:
    """The board does not admit the proposal to the agenda and says why."""
    page.goto(f"{url}/proposals/{proposal_id}")
    form = "form[action$='/decide']"
    page.select_option(f"{form} select[name=target]", "REJECTED")
    page.fill(f"{form} input[name=note]", REASON)
    submit_and_wait(page, f"{form} button[type=submit]")
    expect(page.locator("#main")).to_contain_text(REASON)
    shots(page, "board-rejected-proposal")


def board_adds_document(page: Any, url: str, engine: Any, assembly_id: int, shots: Any) -> None:
    """After the invitation the board attaches the management report to the first item."""
    with new_session(engine) as s:
        item_id = s.scalar(
            select(AgendaItem.id).where(
                AgendaItem.assembly_id == assembly_id, AgendaItem.title == "Bericht des Vorstands"
            )
        )
    page.goto(f"{url}/assemblies/{assembly_id}/agenda/{item_id}/edit")
    report = {"name": DOCUMENT, "mimeType": "text/plain", "buffer": b"Lagebericht 2025\n"}
    page.set_input_files("input[name=file]", files=[report])
    submit_and_wait(page, "form[action$='/attachments'] button[type=submit]")
    expect(page.locator("#main")).to_contain_text(DOCUMENT)
    shots(page, "board-added-document")


def the_day_before(engine: Any, assembly_id: int) -> None:
    """Time travel: the assembly begins in 20 hours (the reminder is due)."""
    with new_session(engine) as s:
        s.execute(
            update(Assembly)
            .where(Assembly.id == assembly_id)
            .values(starts_at=utcnow() + timedelta(hours=20))
        )
        s.commit()


def mails_before_the_day(run: Any, member: Voter) -> None:
    """The member asks for the start mail and proposes; the board rejects the proposal with a
    reason and adds a document; the day before, the worker writes the reminders. The member
    reads the mails: received, not admitted (with the reason), new document, reminder."""
    url, a, board, shots = run.url, run.assembly_id, run.pages["chair"], run.shots
    member_chooses_mails(member.page, url, shots)
    proposal_id = member_proposes(member.page, url, a, shots)
    board_rejects_proposal(board, url, proposal_id, shots)
    board_adds_document(board, url, run.engine, a, shots)
    the_day_before(run.engine, a)
    run.notify()
    link = f"/proposals/{proposal_id}"
    read_mail(run.smtp, member.email, "ist eingegangen", PROPOSAL, link)
    read_mail(run.smtp, member.email, "nicht zur Tagesordnung zugelassen", PROPOSAL, REASON, link)
    read_mail(run.smtp, member.email, "Neue Unterlage", DOCUMENT, "Bericht des Vorstands")
    read_mail(run.smtp, member.email, "Erinnerung", "Gemeinschaftssaal, Köln", f"/assemblies/{a}")


def mails_after_the_vote(run: Any, member: Voter) -> None:
    """The member reads that the assembly started, that the result is declared and that the
    minutes are published."""
    run.notify()
    a, smtp = run.assembly_id, run.smtp
    read_mail(smtp, member.email, "hat begonnen", f"/assemblies/{a}/live")
    read_mail(smtp, member.email, "Ergebnis festgestellt", TITLE, f"/polls/{run.poll_id}/results")
    read_mail(smtp, member.email, "Niederschrift von", f"/assemblies/{a}/minutes")
