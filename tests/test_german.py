"""German that reads naturally (#16): every page of the crawl (tests/e2e/crawl.py: every GET
page of the URL map, with real ids, against the demo cooperative) is rendered in German for every
role and read as a person reads it: no raw enum value (DRAFT, ONLINE), no audit event type
(attendance.online_joined) or other technical name, no English message left untranslated, no
"Stimme(n)" and no "1 Mitglieder". Beside it: every enum and event type has its words, the
German catalog has no forked endings, no template prints a raw value, numbers and times go
through Babel, names sort as DIN 5007-1, import errors name the columns in German.

The subject is the text, not the database: the crawl runs on SQLite only. The Flask test client
renders the pages; the browser crawl (tests/e2e/test_phone.py) checks their layout, and
tests/e2e/test_german.py the live ballot that a script builds.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

import governance
from governance.accounts.models import Role
from governance.assemblies.attendance import search_roll
from governance.assemblies.models import AssemblyState, Channel
from governance.auditlog import AuditEvent
from governance.ballots.models import PollState
from governance.db import new_session
from governance.i18n import (
    EVENT_LABELS,
    OBJECT_LABELS,
    enum_label,
    event_label,
    format_moment,
    format_number,
    format_share,
    name_key,
    object_label,
)
from governance.proposals.models import DemandState, ProposalState
from governance.register.csv_import import ImportRejected, import_csv
from governance.register.models import TransactionKind
from tests.e2e import crawl

ROOT = Path(__file__).resolve().parents[1]
ROLES = [Role.MEMBER, Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY, Role.ADMIN]
# Enums no person reads: states of background machinery shown through their own words.
INTERNAL_ENUMS = {"MailStatus", "RenderStatus", "ScrubState", "CeremonyState", "MailState"}

# A count of one before a plural noun, and "up to 1" (not the nouns whose plural is the
# singular: Stimmzettel, Fehler).
PLURAL_NOUNS = (
    "Mitglieder|Mitgliedern|Stimmen|Zeilen|Anteile|Geschäftsanteile|Ja-Stimmen|Nein-Stimmen|"
    "Enthaltungen|Tage|Wochen|Monate|Jahre|Stunden|Minuten|Sekunden|Personen|Vollmachten|"
    "Einträge|Ereignisse|Anträge|Seiten|Versionen|Kandidaten|Kandidatinnen|Kandidaturen|Punkte|"
    "Tagesordnungspunkte|Unterschriften|Nachrichten|Benachrichtigungen|Anlagen|Dokumente|"
    "Beschlüsse|Wortmeldungen|Sitze|Plätze|Probleme|Buchungen|Anteilsbuchungen|Prüfungen"
)
ONE_PLURAL = re.compile(rf"(?<![\d.,/])\b1 (?:{PLURAL_NOUNS})(?![\w-])|[Bb]is zu 1\b")
OPTIONAL_ENDING = re.compile(r"\w\((?:n|e|en|s|er|in|innen|nen)\)")


def enums() -> Iterator[type[enum.Enum]]:
    """Every enum defined in the governance package."""
    for info in pkgutil.walk_packages(governance.__path__, "governance."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
            ):
                yield value


def raw_enum_pattern() -> re.Pattern[str]:
    values = {str(m.value) for e in enums() for m in e if str(m.value).isupper()}
    values |= {str(m.name) for e in enums() for m in e if str(m.name).isupper()}
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(values, key=len, reverse=True)) + r")\b")


def english_msgids() -> tuple[list[str], set[str]]:
    """English texts of the catalog that read differently in German: phrases long enough to be
    found in a page only where the translation is missing (the parts between placeholders),
    and whole short messages ("Vote", "Closed") that no German text reads as."""
    with open(ROOT / "governance/translations/de/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="de")
    phrases: set[str] = set()
    words: set[str] = set()
    german: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        german.update(strings)
        for msgid in ids:
            if not msgid or msgid in strings:
                continue
            if len(msgid) >= 4 and "%" not in msgid:
                words.add(msgid)
            for part in re.split(r"%\(\w+\)[sd]|%[sd]|[<>{}]", msgid):
                part = part.strip(" .,:;·—–-()“”\"'")
                if len(part.split()) >= 3 and len(part) >= 14:
                    phrases.add(part)
    return sorted(phrases), words - german


class Text(HTMLParser):
    """What a person reads on a page: its text and the attributes read aloud or shown. Scripts
    are left out, and what the page marks `translate="no"` (codes, hashes, raw audit data)."""

    SKIP = {"script", "style", "template"}
    SHOWN = ("title", "aria-label", "placeholder", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the elements we are in

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped = tag in self.SKIP or values.get("translate") == "no"
        if tag not in self.VOID:
            self._open.append((tag, skipped))
        if skipped or self._skipping():
            return
        self.parts += [values[a] or "" for a in self.SHOWN if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)

    @classmethod
    def nodes(cls, html: str) -> set[str]:
        """The page's pieces of text one by one (a cell, a button, a label)."""
        parser = cls()
        parser.feed(html)
        return {re.sub(r"\s+", " ", p).strip() for p in parser.parts}

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", " ".join(parser.parts))


def problems_in(
    text: str,
    *,
    raw: re.Pattern[str],
    events: set[str],
    english: list[str],
    nodes: set[str] = frozenset(),  # type: ignore[assignment]
    words: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    """What reads wrong in a page's text, each with its surroundings."""

    def around(m: re.Match[str]) -> str:
        return text[max(0, m.start() - 30) : m.end() + 30].strip()

    found = [f"raw value {m.group()!r}: …{around(m)}…" for m in raw.finditer(text)]
    found += [f"optional ending: …{around(m)}…" for m in OPTIONAL_ENDING.finditer(text)]
    found += [f"1 before a plural: …{around(m)}…" for m in ONE_PLURAL.finditer(text)]
    found += [
        f"event type {m.group()!r}: …{around(m)}…"
        for m in re.finditer(r"(?<![\w/.@-])[a-z]+\.[a-z_]+(?![\w/.@-])", text)
        if m.group() in events
    ]
    found += [
        f"technical name {m.group()!r}: …{around(m)}…"
        for m in re.finditer(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w/@-])", text)
    ]
    found += [f"English: {e!r}" for e in english if e in text]
    found += [f"English: {w!r}" for w in sorted(nodes & words)]
    return found


@pytest.fixture
def app_config() -> dict[str, Any]:
    # A page that fails (the crawl's minutes are not real PDFs) is skipped, as in test_phone.py.
    return {"BABEL_DEFAULT_LOCALE": "de", "PROPAGATE_EXCEPTIONS": False}


def test_the_checks_find_what_they_look_for():
    """Each check fails on the text it exists for, and passes German that reads well."""
    raw = raw_enum_pattern()
    events = {"attendance.online_joined"}
    english = ["Paper ballots in the room"]

    def check(text: str) -> list[str]:
        return problems_in(text, raw=raw, events=events, english=english)

    assert check("Zustand DRAFT") and check("Kanal: ONLINE") and check("PUBLISHED")
    assert check("attendance.online_joined um 18:00")
    assert check("Paper ballots in the room: register voters")
    assert problems_in("", raw=raw, events=events, english=[], nodes={"Vote"}, words={"Vote"})
    assert check("3 Stimme(n)") and check("Kandidat(en)") and check("Mitarbeiter(in)")
    assert check("Objekt agenda_item 3") and check("first_names: Max")
    assert check("1 Zeilen importiert") and check("1 Mitglieder") and check("Bis zu 1 wählen")
    fine = "Veröffentlicht · online teilgenommen · 2 Mitglieder · 11 Stimmen · 1 Stimmzettel"
    assert check(fine + " · 1 Mitglied · 1,7 % · beispiel.de · Version 2.1 Zeilen") == []
    page = '<p>Urne <code translate="no">poll.sealed</code> <span title="PUBLISHED">x</span></p>'
    assert Text.of(page) == "Urne PUBLISHED x"
    assert check(Text.of("<table><tr translate=no><td>OPEN<br>DRAFT</td></tr></table>")) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_enum_a_person_reads_has_a_german_label(app):
    """Every value of every enum shown to people is labelled through governance.i18n."""
    missing = [
        f"{e.__name__}.{m.name}"
        for e in enums()
        if e.__name__ not in INTERNAL_ENUMS
        for m in e
        if enum_label(m) == str(m.value)
    ]
    assert missing == []
    with app.test_request_context(), force_locale("de"):
        assert enum_label(PollState.SEALED) == "Versiegelt"
        assert enum_label(Channel.ONLINE) == "online"
        assert enum_label(DemandState.OPEN) != enum_label(PollState.OPEN)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_event_type_in_the_code_has_a_label(app):
    """Every audit event type named in the code reads as German words."""
    # event_type="…", or the first string of a call to a recording helper (_event(s, x, "…"))
    literal = re.compile(
        r"event_type=\"([a-z_]+\.[a-z_]+)\""
        r"|(?:_event|_audit|record_event)\((?:[^()\"]|\([^()]*\))*?\"([a-z_]+\.[a-z_]+)\""
    )
    named = set()
    for path in (ROOT / "governance").rglob("*.py"):
        for m in literal.finditer(path.read_text()):
            named.add(m.group(1) or m.group(2))
    # Built from a value: "share." + the booking's kind, "proposal." + the proposal's new state.
    named |= {f"share.{k.value.lower()}" for k in TransactionKind}
    named |= {f"proposal.{s.value.lower()}" for s in ProposalState if s != ProposalState.SUBMITTED}
    named |= {f"minutes.{w}" for w in ("general_updated", "item_updated", "objection_added")}
    assert len(named) > 60, "the scan for event types finds too few"
    assert {n for n in named if n not in EVENT_LABELS} == set()
    objects = set()
    for path in (ROOT / "governance").rglob("*.py"):
        objects |= set(re.findall(r"object_type=\"([a-z_]+)\"", path.read_text()))
    assert len(objects) > 10 and objects - set(OBJECT_LABELS) == set()
    with app.test_request_context(), force_locale("de"):
        assert object_label("agenda_item") == "Tagesordnungspunkt"
        assert event_label("attendance.online_joined") == "online teilgenommen"
        assert event_label("something.unknown") == "something.unknown"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_numbers_percentages_and_times_read_as_german(app):
    moment = datetime(2026, 12, 4, 17, 0, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("de"):
        assert format_share(0.01666) == "1,7\xa0%"
        assert format_number(Decimal("1234.5")) == "1.234,5"
        assert format_moment(moment, "short") == "04.12.26, 18:00"
        assert format_moment(moment) == "04.12.2026, 18:00"
        assert format_moment(moment, "long") == "4. Dezember 2026, 18:00 MEZ"
    with app.test_request_context(), force_locale("en"):
        assert format_share(0.01666) == "1.7%"
        assert format_moment(moment) == "Dec 4, 2026, 6:00\u202fPM"


def test_no_german_text_leaves_an_ending_open():
    """No German text of a message the code uses says "Stimme(n)", "Sitz(e)", "ist/sind",
    "den/die" or "ein/e": a count goes through ngettext, a sentence does not fork."""
    from tests.test_i18n import extracted_msgids

    used = extracted_msgids()
    with open(ROOT / "governance/translations/de/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="de")
    either = re.compile(
        rf"{OPTIONAL_ENDING.pattern}|\b(?:ist/sind|den/die|der/die|[Kk]?eine?/[nr]?)\b"
    )
    found = [
        text
        for m in catalog
        if (m.context, m.id[0] if isinstance(m.id, tuple) else m.id) in used
        for text in (m.string if isinstance(m.string, tuple) else (m.string,))
        if either.search(text)
    ]
    assert found == []


# A template that prints an enum's raw value or an event type instead of its words; in an
# attribute (data-key="…") or an element marked translate="no" it is for machines.
RAW_IN_TEMPLATE = re.compile(
    r"(?<![=\"]\")(?<!translate=\"no\">)"
    r"\{\{\s*[A-Za-z_][\w.]*\.(?:state|status|kind|channel|role|mode|majority|capacity|action)"
    r"(?:\.value)?\s*(?:\|\s*(?:lower|upper|title|capitalize)\s*)?\}\}"
    r"|(?<!translate=\"no\">)\{\{\s*[A-Za-z_][\w.]*\.event_type\s*\}\}"
)


def test_no_template_prints_a_raw_value():
    """Templates print enums through |label (or a label table) and event types through |event."""
    found = [
        f"{path.relative_to(ROOT)}: {m.group()}"
        for path in sorted((ROOT / "governance/templates").rglob("*.*"))
        for m in RAW_IN_TEMPLATE.finditer(path.read_text())
    ]
    assert found == []
    assert RAW_IN_TEMPLATE.search("<td>{{ d.state.value|lower }}</td>")
    assert RAW_IN_TEMPLATE.search("<td>{{ e.event_type }}</td>")
    assert not RAW_IN_TEMPLATE.search('<li data-key="{{ assembly.state.value }}">')
    assert not RAW_IN_TEMPLATE.search("<td>{{ d.state|label }}</td>")


def test_names_sort_as_in_a_german_phone_book():
    """DIN 5007-1: umlauts as their base letters, ß as ss, case ignored."""
    names = ["Jung", "Jäger", "Zander", "Öztürk", "Abel", "Ostermann", "Strauß", "Strauss", "jahn"]
    assert sorted(names, key=name_key) == [
        "Abel", "Jäger", "jahn", "Jung", "Ostermann", "Öztürk", "Strauss", "Strauß", "Zander",
    ]  # fmt: skip


def test_participants_are_listed_as_in_a_phone_book(session, make_member, make_assembly):
    """The roll search of the check-in lists Jäger before Jahn before Jung, on both databases."""
    members = [make_member(last_name=n, first_names="Kim") for n in ("Jung", "Jahn", "Jäger")]
    assembly = make_assembly(state=AssemblyState.CONVENED, members=members)
    found = search_roll(session, assembly_id=assembly.id, query="kim")
    assert [m.last_name for _entry, m in found] == ["Jäger", "Jahn", "Jung"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_import_errors_name_the_columns_in_german(app, session):
    """A bad row of a register import names its columns as the reader says them."""
    data = (
        "Nachname;Eintrittsdatum;Anteile;Art;Land\nJäger;31.02.2021;x;Verein;Deutschland\n"
    ).encode()
    with pytest.raises(ImportRejected) as info:
        import_csv(session, data=data, actor=None)
    with app.test_request_context(), force_locale("de"):
        messages = [str(e.message) for e in info.value.result.errors]
    assert messages == [
        "Land ist ein Kürzel aus zwei Buchstaben (DE).",
        "Personenart ist „natürlich“ oder „juristisch“.",
        "Eintrittsdatum ist kein Datum: „31.02.2021“.",
        "Die Spalte Geschäftsanteile muss eine ganze Zahl ≥ 0 enthalten: „x“.",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_page_reads_as_german(app, make_held_assembly):
    crawl.seed_cooperative(app, make_held_assembly)
    found = crawl.targets(app, crawl.value_sets(app))
    assert crawl.uncovered(app, found) == set(), "GET pages the crawl has no ids for"
    with new_session(app.extensions["governance.engine"]) as s:
        events = set(s.scalars(select(AuditEvent.event_type).distinct()))
    events |= set(EVENT_LABELS)
    raw, (english, words) = raw_enum_pattern(), english_msgids()
    problems: list[str] = []
    for role in ROLES:
        client = app.test_client()
        r = client.post("/login", data={"email": crawl.LOGINS[role], "password": crawl.PASSWORD})
        assert r.status_code == 302, f"login as {role.value} failed"
        seen = 0
        for target in found:
            page = client.get(target.url)
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            seen += 1
            assert 'lang="de"' in page.get_data(as_text=True), target.url
            html = page.get_data(as_text=True)
            text, nodes = Text.of(html), Text.nodes(html)
            for p in problems_in(
                text, raw=raw, events=events, english=english, nodes=nodes, words=words
            ):
                problems.append(f"{role.value} {target.url}: {p}")
        assert seen >= 10, f"{role.value} could open only {seen} pages"
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(dict.fromkeys(problems))
