"""What the circular services render (injected into them): the notice to a seat, and a
concluded circular as a page of the body's minutes book (PDF).

The PDF is rendered from templates/pdf/circular.html in the cooperative's language (not the
reader's) and written by the minutes' engine through `hooks_circulars.write_pdf`. Same record
in, same bytes out: no creation date, a PDF identifier derived from the content.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import object_session

from governance.accounts.models import User
from governance.bodies.circulars import Answer
from governance.bodies.hooks_circulars import write_pdf
from governance.bodies.models import Body
from governance.bodies.models_circulars import Circular
from governance.i18n import _
from governance.register.blueprint import mail_locale
from governance.web import external_url


def pdf_locale() -> str:
    """The language of the minutes book: the cooperative's."""
    config = current_app.config
    return str(config.get("MINUTES_LOCALE") or config["BABEL_DEFAULT_LOCALE"])


def pdf(circular: Circular, answers: Sequence[Answer]) -> tuple[bytes, int]:
    """The minutes-book PDF of a concluded circular and its page count."""
    session = object_session(circular)
    body = session.get(Body, circular.body_id) if session is not None else None
    with force_locale(pdf_locale()):
        a, b, c = (
            _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
            .replace("\x01", "\x00")
            .split("\x00")
        )
        html = render_template(
            "pdf/circular.html",
            circular=circular,
            body=body,
            answers=answers,
            coop_name=current_app.config["COOP_NAME"],
            coop_seat=current_app.config["COOP_SEAT"],
            page=(a, b, c),
        )
    data, pages = write_pdf(html)
    return bytes(data), int(pages)


def notice(circular: Circular, user: User) -> tuple[str, str]:
    """The mail asking one seat to vote, in their language."""
    session = object_session(circular)
    ctx = {
        "circular": circular,
        "body": session.get(Body, circular.body_id) if session is not None else None,
        "url": external_url(
            "bodies.circular_page", body_id=circular.body_id, circular_id=circular.id
        ),
    }
    with force_locale(mail_locale(user)):
        subject = render_template("bodies/mail_circular.subject.txt", **ctx).strip()
        return subject, render_template("bodies/mail_circular.txt", **ctx)
