"""The phone crawl (test_phone.py): a cooperative with content on every page, the URLs of every
page a role may open (derived from the app's URL map, so a new page is crawled without anyone
remembering), and the check that a page fits a phone's width.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from governance.accounts.models import Role, User
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.auditlog import AuditEvent
from governance.ballots.models import Poll
from governance.bodies.models import Body, Seat
from governance.bodies.models_circulars import Circular
from governance.bodies.models_rooms import RoomFile, RoomFileVersion
from governance.db import new_session, utcnow
from governance.demo import DEMO_PASSWORD, DEMO_USERS, seed
from governance.minutes.models import Minutes, MinutesVersion, RenderJob, RenderStatus
from governance.proposals.demands import create_demand
from governance.proposals.models import DemandKind, MinorityDemand, Proposal
from governance.register.models import Member, ShareTransaction
from governance.register.views_actions import EXIT_EVENTS

PHONE = {"width": 390, "height": 844}
PASSWORD = DEMO_PASSWORD
LOGINS = {role: email for role, email, _name in DEMO_USERS}

# Downloads and machine-readable answers (no page to lay out), links from mails, the health
# checks: not crawled. Every other GET route must be reached, or the crawl fails (covers()).
NOT_PAGES = {
    "static",
    "accounts.healthz",
    "accounts.readyz",
    "accounts.login",  # visited by every login
    "accounts.invitation_link",
    "accounts.login_link",
    "accounts.reset_password",
    "register.confirm_link",
    "register.export",
    "assemblies.attachment_download",
    "assemblies.paper_download",
    "bodies.room_download",
    "assemblies.attendance_csv",
    "assemblies.calendar",
    "assemblies.live_json",
    "assemblies.cockpit_json",
    "tellers.state",
    "ballots.decryption_box",
    "minutes.draft_pdf",
    "minutes.version_pdf",
    "audit.bundle",
    "audit.verifier",
    "audit.coopvote_module",
    # The room's projector page opens with its token in the URL, not a login (test_cockpit.py).
    "assemblies.screen_page",
    "assemblies.screen_json",
    # Only the relative (no member, no role) who holds the proxy opens it: no demo login does;
    # tests/e2e/test_relative_proxy.py opens it at phone width.
    "assemblies.relative_page",
    "bodies.circular_record",
}


def seed_cooperative(app: Flask, make_held_assembly: Any) -> None:
    """The demo cooperative (an assembly convened, one in session with a published result and
    an open election, draft minutes, the register) and a closed assembly whose minutes were
    published and corrected once."""
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
    held = make_held_assembly(participants=6, polls=1)
    with new_session(engine) as s:
        _publish_minutes(s, held.assembly_id, held.supervisor.id)
        _demand(s)
        s.commit()


def _demand(s: Any) -> None:
    """The demo member demands an extraordinary assembly (§45 GenG)."""
    user = s.scalars(select(User).where(User.email == LOGINS[Role.MEMBER])).one()
    create_demand(
        s, kind=DemandKind.ASSEMBLY, title="Außerordentliche Versammlung zur Photovoltaikanlage",
        purpose="Die Mitglieder sollen über den Bau einer Photovoltaikanlage beschließen.",
        member=s.get(Member, user.member_id), actor=user, now=utcnow(), needed=20,
    )  # fmt: skip


def _publish_minutes(s: Any, assembly_id: int, publisher_id: int) -> None:
    minutes = Minutes(assembly_id=assembly_id, preamble="Die Versammlungsleitung eröffnet.")
    s.add(minutes)
    s.flush()
    previous = None
    for number, reason in ((1, ""), (2, "Tippfehler im Namen eines Mitglieds berichtigt")):
        pdf = f"%PDF-1.4 minutes version {number}".encode()
        sha = hashlib.sha256(pdf).hexdigest()
        job = RenderJob(
            minutes_id=minutes.id, revision=number, status=RenderStatus.DONE, pdf=pdf,
            pdf_sha256=sha, source_sha256=sha, page_count=3, finished_at=utcnow(),
        )  # fmt: skip
        s.add(job)
        s.flush()
        version = MinutesVersion(
            minutes_id=minutes.id, assembly_id=assembly_id, number=number, render_id=job.id,
            previous_id=previous, reason=reason, pdf=pdf, pdf_sha256=sha, page_count=3,
            published_at=utcnow() - timedelta(days=3 - number), published_by_id=publisher_id,
        )  # fmt: skip
        s.add(version)
        s.flush()
        previous = version.id
    assembly = s.get(Assembly, assembly_id)
    assembly.transition(AssemblyState.MINUTES_PUBLISHED)
    s.add(assembly)


def in_session(app: Flask) -> int:
    """The id of the demo's assembly in session (its election is open)."""
    with new_session(app.extensions["governance.engine"]) as s:
        query = select(Assembly.id).where(Assembly.state == AssemblyState.IN_SESSION)
        return int(s.scalars(query.order_by(Assembly.id)).first() or 0)


def value_sets(app: Flask) -> list[dict[str, Any]]:
    """Real ids for the URL map's arguments, grouped as the routes use them together."""
    with new_session(app.extensions["governance.engine"]) as s:
        sets: list[dict[str, Any]] = []
        for a in s.scalars(select(Assembly).order_by(Assembly.id)):
            item = s.scalars(
                select(AgendaItem.id).where(AgendaItem.assembly_id == a.id).order_by(AgendaItem.id)
            ).first()
            sets.append({"assembly_id": a.id, "item_id": item})
        sets += [{"poll_id": p} for p in s.scalars(select(Poll.id).order_by(Poll.id))]
        sets += [{"proposal_id": p} for p in s.scalars(select(Proposal.id).order_by(Proposal.id))]
        sets += [{"demand_id": d} for d in s.scalars(select(MinorityDemand.id))]
        sets += [{"body_id": b} for b in s.scalars(select(Body.id).order_by(Body.id))]
        circulars = s.scalars(select(Circular).order_by(Circular.id))
        sets += [{"body_id": c.body_id, "circular_id": c.id} for c in circulars]
        seats = s.scalars(select(Seat).order_by(Seat.id).limit(3))  # a current and a past term
        sets += [{"body_id": t.body_id, "seat_id": t.id} for t in seats]
        linked = s.scalars(select(User.member_id).where(User.email == LOGINS[Role.MEMBER])).one()
        left = s.scalars(select(Member.id).where(Member.exit_date.is_not(None))).first()
        sets += [{"member_id": m} for m in dict.fromkeys([linked, left]) if m]
        sets += [{"member_id": linked, "event": e} for e in EXIT_EVENTS]
        sets += [{"tx_id": s.scalars(select(ShareTransaction.id)).first()}]
        sets += [{"user_id": u} for u in s.scalars(select(User.id).order_by(User.id).limit(2))]
        last = s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())).first()
        sets += [{"seq": 1}, {"seq": last}]
        sets += _rooms(s)
    return sets


def _rooms(s: Any) -> list[dict[str, Any]]:
    """A body, a folder of its room, a paper and its first version, for each paper."""
    sets = []
    for file in s.scalars(select(RoomFile).order_by(RoomFile.id)):
        first = select(RoomFileVersion.id).where(RoomFileVersion.file_id == file.id)
        sets.append(
            {
                "body_id": file.body_id,
                "folder_id": file.folder_id or 0,
                "file_id": file.id,
                "version_id": s.scalars(first.order_by(RoomFileVersion.number)).first(),
            }
        )
    return sets


@dataclass(frozen=True)
class Target:
    endpoint: str
    url: str


def targets(app: Flask, sets: list[dict[str, Any]]) -> list[Target]:
    """Every GET page of the URL map, once for each fitting set of real ids."""
    found: list[Target] = []
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        choices = {
            name: sorted(conv.items)
            for name, conv in rule._converters.items()
            if isinstance(conv, AnyConverter)
        }
        plain = set(rule.arguments) - set(choices)
        for values in [{}] if not plain else [v for v in sets if plain <= v.keys()]:
            for extra in _expand(choices):
                args = {k: values[k] for k in plain} | extra
                found.append(Target(rule.endpoint, adapter.build(rule.endpoint, args)))
    return list(dict.fromkeys(found))


def _expand(choices: dict[str, list[str]]) -> Iterator[dict[str, str]]:
    if not choices:
        yield {}
        return
    name, items = next(iter(choices.items()))
    rest = {k: v for k, v in choices.items() if k != name}
    for item in items:
        for more in _expand(rest):
            yield {name: item, **more}


def uncovered(app: Flask, found: list[Target]) -> set[str]:
    """GET endpoints the crawl cannot reach (an argument no set of ids provides)."""
    endpoints = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and r.endpoint not in NOT_PAGES
    }
    return endpoints - {t.endpoint for t in found}


# The page is wider than the window; name the elements that stick out while their parent fits
# (the culprits, widest first; not those inside a box that scrolls), as tag#id.class "text". A phone's browser widens its window to
# an overflowing page (and zooms out), so the width is also the phone's own.
OVERFLOW_JS = """phone => {
  const width = Math.min(window.innerWidth, phone);
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const sticksOut = el => el.getBoundingClientRect().right > width + 0.5;
  const clipped = el => {  // inside a box that scrolls or clips: only the box counts
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || (el.parentElement && sticksOut(el.parentElement))) continue;
    if (clipped(el)) continue;
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      [...el.classList].map(c => '.' + c).join('');
    const text = (el.innerText || el.textContent || '').trim().slice(0, 40);
    culprits.push({name: name + ' "' + text + '"', right: Math.round(r.right)});
  }
  culprits.sort((a, b) => b.right - a.right);
  return {scroll, width, culprits: culprits.slice(0, 3).map(c => c.name + ' to ' + c.right + 'px')};
}"""


def overflow(page: Any) -> str | None:
    """None if the page fits its window; else how wide it is and what sticks out."""
    found = page.evaluate(OVERFLOW_JS, PHONE["width"])
    if found is None:
        return None
    return f"{found['scroll']} px wide in {found['width']} px: {'; '.join(found['culprits'])}"


# Tap targets: buttons, and links in navigation, smaller than 44 px in height (WCAG 2.5.5).
SMALL_TARGETS_JS = """() => {
  const small = [];
  const sel = 'main button, main .button, main input[type=submit], header a, header button, ' +
    'nav a, main label:has(> input[type=radio]), main label:has(> input[type=checkbox])';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue;
    if (r.height < 43.5) small.push(el.tagName.toLowerCase() + ' "' +
      (el.innerText || el.value || '').trim().slice(0, 30) + '" ' + Math.round(r.height) + 'px');
  }
  return small.slice(0, 5);
}"""


def small_targets(page: Any) -> list[str]:
    return list(page.evaluate(SMALL_TARGETS_JS))


# The result charts' text as the phone shows it: the smallest font size in px.
CHART_FONT_JS = """() => {
  let smallest = null;
  for (const svg of document.querySelectorAll('svg.chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      const px = parseFloat(text.getAttribute('font-size')) * scale;
      smallest = smallest === null ? px : Math.min(smallest, px);
    }
  }
  return smallest;
}"""


def chart_font(page: Any) -> float | None:
    """The smallest font size (px) of a chart on the page, None without a chart."""
    found = page.evaluate(CHART_FONT_JS)
    return None if found is None else float(found)
