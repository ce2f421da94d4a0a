# ruff: noqa: SIM905  (name lists as text)
"""Demo register: ~300 members with German names, share bookings and a few who left.

The demo users of the board, supervisory board, secretary and the demo member are linked
to members of their own. Deterministic (fixed random seed), relative to today.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role
from governance.register import services, status
from governance.register.models import Member, PersonKind
from governance.register.rules import end_of_business_year

FIRST_NAMES = (
    "Anna|Maria|Sophie|Laura|Lea|Hannah|Julia|Katharina|Lisa|Sarah|Lena|Johanna|Clara|"
    "Emma|Marie|Charlotte|Helga|Ursula|Renate|Monika|Brigitte|Ingrid|Sabine|Petra|Andrea|"
    "Claudia|Jürgen|Klaus|Hans|Peter|Wolfgang|Michael|Thomas|Andreas|Stefan|Frank|Markus|"
    "Christian|Alexander|Lukas|Jonas|Leon|Felix|Maximilian|Paul|Elias|Finn|Tobias|"
    "Florian|Sebastian|Matthias|Dieter|Günter|Horst|Uwe|Bernd|Ralf|Jörg|Karl-Heinz|"
    "Hans-Peter|Ayşe|Mehmet|Fatma|Ali|Katarzyna|Piotr|Giulia|Marco"
).split("|")
LAST_NAMES = (
    "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|"
    "Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|"
    "Hofmann|Hartmann|Lange|Schmitt|Werner|Schmitz|Krause|Meier|Lehmann|Schmid|Schulze|"
    "Maier|Köhler|Herrmann|König|Walter|Mayer|Huber|Kaiser|Fuchs|Peters|Lang|Scholz|"
    "Möller|Weiß|Jung|Hahn|Schubert|Vogel|Friedrich|Keller|Günther|Frank|Berger|Winkler|"
    "Roth|Beck|Lorenz|Baumann|Franke|Albrecht|Schuster|Simon|Ludwig|Böhm|Winter|Kraus|"
    "Martin|Schumacher|Krämer|Vogt|Stein|Jäger|Otto|Sommer|Groß|Seidel|Heinrich|Brandt|"
    "Haas|Yılmaz|Kaya|Nowak|Kowalski|Rossi"
).split("|")
STREETS = (
    "Hauptstraße|Schulstraße|Gartenstraße|Bahnhofstraße|Dorfstraße|Bergstraße|"
    "Lindenstraße|Kirchstraße|Waldstraße|Ringstraße|Mühlenweg|Birkenweg|Am Anger|"
    "Rosenstraße|Goethestraße|Schillerstraße|Friedhofstraße|Wiesenweg|Uhlandstraße|"
    "Kastanienallee"
).split("|")
CITIES = (
    ("10115", "Berlin"),
    ("10437", "Berlin"),
    ("12043", "Berlin"),
    ("14467", "Potsdam"),
    ("04109", "Leipzig"),
    ("01067", "Dresden"),
    ("20095", "Hamburg"),
    ("28195", "Bremen"),
    ("50667", "Köln"),
    ("60311", "Frankfurt am Main"),
    ("80331", "München"),
    ("70173", "Stuttgart"),
    ("90402", "Nürnberg"),
    ("30159", "Hannover"),
    ("99084", "Erfurt"),
)
FIRMS = (
    "Bäckerei Sonnenschein GmbH",
    "Stadtwerke Beispielstadt GmbH",
    "Kita Regenbogen e.V.",
    "Tischlerei Holzwurm OHG",
    "Grünes Dach Architekten PartG",
    "Kulturverein Alte Mühle e.V.",
    "Solarfreunde Nord UG (haftungsbeschränkt)",
    "Café Kranich GmbH",
)
DEMO_LINKS = (
    (Role.BOARD, "Vorstand", "Viktoria"),
    (Role.SUPERVISORY_BOARD, "Aufsichtsrat", "Anton"),
    (Role.SECRETARY, "Schriftführerin", "Sabine"),
    (Role.MEMBER, "Mitglied", "Max"),
)
MEMBERS = 300


def _shares(rng: random.Random) -> int:
    return rng.choices(
        [1, rng.randint(2, 5), rng.randint(6, 20), rng.randint(21, 60)], weights=[30, 40, 25, 5]
    )[0]


def _address(rng: random.Random) -> dict[str, str]:
    postal_code, city = rng.choice(CITIES)
    return {
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
        "postal_code": postal_code,
        "city": city,
    }


def _person(rng: random.Random, i: int) -> dict[str, Any]:
    if i % 40 == 7:
        return {"kind": PersonKind.LEGAL, "firm": FIRMS[(i // 40) % len(FIRMS)]}
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if rng.random() < 0.15:
        first = f"{first} {rng.choice(FIRST_NAMES)}"
    slug = f"{first.split()[0]}.{last}".lower().translate(str.maketrans("äöüßışç", "aousisc"))
    return {"last_name": last, "first_names": first, "email": f"{slug}{i}@example.org"}


def _member(session: Session, rng: random.Random, i: int, today: date, **fields) -> Member:
    entry = today - timedelta(days=rng.randint(200, 18 * 365))
    data = {**_person(rng, i), **_address(rng), **fields}
    member = services.create_member(session, actor=None, entry_date=entry, **data)
    services.book_subscription(
        session,
        member=member,
        share_count=_shares(rng),
        value_date=entry,
        reference=f"Beitritt {member.number}",
        actor=None,
    )
    if rng.random() < 0.25:
        later = entry + timedelta(days=rng.randint(30, (today - entry).days))
        services.book_subscription(
            session,
            member=member,
            share_count=rng.randint(1, 10),
            value_date=later,
            reference=f"Aufstockung {later.year}",
            actor=None,
        )
    return member


def _leave(session: Session, member: Member, i: int, today: date, cfg: Any) -> None:
    start = cfg.get("BUSINESS_YEAR_START_MONTH", 1)
    day = max(member.entry_date, today - timedelta(days=30 + i % 200))
    if member.kind == PersonKind.LEGAL:
        if i == 127:
            status.record_liquidation(
                session,
                member=member,
                liquidation_date=day,
                actor=None,
                business_year_start_month=start,
            )
    elif i % 23 == 0:
        status.record_notice(
            session,
            member=member,
            notice_date=day,
            actor=None,
            notice_months=cfg.get("NOTICE_MONTHS", 3),
            business_year_start_month=start,
        )
    elif i % 47 == 0:
        status.record_death(
            session, member=member, death_date=day, actor=None, business_year_start_month=start
        )
    elif i % 61 == 0:
        status.record_expulsion(session, member=member, letter_date=day, actor=None)


def _corrections(session: Session, members: list[Member], today: date) -> None:
    """A share cancellation, a reversed booking, a transfer of the credit to another member."""
    giver, taker = members[149], members[150]
    day = max(giver.entry_date, taker.entry_date, today - timedelta(days=60))
    status.record_transfer(
        session,
        member=giver,
        to_member=taker,
        transfer_date=day,
        reference=f"Übertragung {giver.number}",
        actor=None,
    )
    target = members[10]
    year_end = end_of_business_year(today)
    if target.shares > 1:
        services.book_cancellation(
            session,
            member=target,
            share_count=1,
            value_date=year_end,
            reference=f"Kündigung Anteil {year_end.year}",
            actor=None,
        )
    wrong = services.book_subscription(
        session,
        member=members[12],
        share_count=3,
        value_date=today - timedelta(days=10),
        reference="Tippfehler 2024-17",
        actor=None,
    )
    services.book_reversal(
        session,
        original=wrong,
        reference="Storno Tippfehler 2024-17",
        comment="Falsches Mitglied gebucht",
        actor=None,
    )


def _link_demo_users(session: Session, rng: random.Random, ctx: Any, today: date) -> None:
    for i, (role, last, first) in enumerate(DEMO_LINKS):
        user = ctx.users.get(role)
        if user is None:
            continue
        member = _member(
            session, rng, 1000 + i, today, last_name=last, first_names=first, email=user.email
        )
        services.link_user(session, member=member, user=user, actor=None)


def seed_demo(session: Session, ctx: Any) -> None:
    """Create the demo register and link the demo users to members."""
    rng = random.Random(20241023)
    today = date.today()
    members = [_member(session, rng, i, today) for i in range(1, MEMBERS + 1)]
    for i, member in enumerate(members, start=1):
        _leave(session, member, i, today, ctx.config)
    _corrections(session, members, today)
    _link_demo_users(session, rng, ctx, today)
    session.flush()
    ctx.extra["register_member_ids"] = [m.id for m in members]
