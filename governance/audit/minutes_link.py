"""The seal root in the published minutes: the audit compares it with the poll's box.

The minutes are published as PDF bytes (`MinutesVersion`), which state each poll's seal root.
The newest published version of the poll's assembly is read (pypdf) and must contain the root
the box recomputes to; whitespace and line breaks inside the printed root are ignored.
"""

from __future__ import annotations

import io
import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.audit.checks import Check, check
from governance.i18n import _l

LABEL = _l("The published minutes state the same Merkle root")


def published_minutes(session: Session, *, assembly_id: int) -> Any | None:
    """The newest published version of the assembly's minutes, if any."""
    from governance.minutes.models import MinutesVersion

    return session.execute(
        select(MinutesVersion)
        .where(MinutesVersion.assembly_id == assembly_id)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def pdf_text(data: bytes) -> str | None:
    """The text of a PDF with all whitespace removed (a printed hash may wrap); None when the
    bytes cannot be read as a PDF (damaged or replaced: the audit reports it, never fails)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError):
        return None
    return re.sub(r"\s+", "", text).lower()


def minutes_record(session: Session, *, poll: Any) -> dict[str, Any] | None:
    """For the bundle: the newest published minutes' version and the root they state, if any."""
    version = published_minutes(session, assembly_id=poll.assembly_id)
    if version is None:
        return None
    stated = bool(poll.seal_root) and poll.seal_root in (pdf_text(bytes(version.pdf)) or "")
    return {"version": version.number, "root": poll.seal_root if stated else None}


def minutes_check(session: Session, *, poll: Any) -> Check:
    """PASS when the newest published minutes state the box's root; SKIP before publication."""
    from governance.ballots.seal import box_root

    version = published_minutes(session, assembly_id=poll.assembly_id)
    if version is None or not poll.is_sealed:
        return check("poll.seal_in_minutes", LABEL, [_l("no minutes published yet")], skip=True)
    root = box_root(session, poll_id=poll.id)
    text = pdf_text(bytes(version.pdf))
    if text is None:
        diffs = [_l("minutes version %(n)d cannot be read as a PDF", n=version.number)]
    elif root in text:
        diffs = []
    else:
        diffs = [_l("minutes version %(n)d do not state the root %(r)s", n=version.number, r=root)]
    return check("poll.seal_in_minutes", LABEL, diffs, note=_l("version %(n)d", n=version.number))
