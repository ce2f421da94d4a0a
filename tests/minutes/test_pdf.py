"""The PDF: every element §47 requires is in its text; pages, header, no network."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from governance.assemblies.models import AssemblyForm
from governance.minutes import rendering
from governance.minutes.models import RenderJob
from governance.minutes.pdf import AnnexLayout, render_minutes
from governance.minutes.pdf_engine import AppOnlyFetcher, RefusedURL
from governance.minutes.sample import sample_document
from governance.register.models import Member
from tests.minutes.conftest import COOP, render, start


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_text_holds_every_required_element(session, make_held_assembly):
    held = make_held_assembly(participants=4, form=AssemblyForm.HYBRID)
    minutes = start(session, held)
    job = render(session, minutes)
    pages = pdf_text(job.pdf)
    text = "\n".join(pages)
    doc = rendering.document(session, minutes=minutes, coop=COOP)
    poll = doc.polls[0]
    members = [session.get(Member, mid) for mid in held.member_ids]
    expected = [
        "Minutes", "Beispiel eG", "Gemeindesaal",  # title, cooperative, place
        "June 14, 2025",  # date
        "hybrid (in person and online)",  # form
        "Chair of the assembly", held.chair.display_name,  # chair
        "Motion, secret ballot", "simple majority of the votes cast",  # type of the vote
        "Yes votes required", "adopted",  # result
        "Declaration of the chair", poll.declaration,  # the chair's declaration
        poll.seal_root[:20],  # seal root
        "Annex 1: Evidence of the convening", "Einladung zur Generalversammlung", "Recipients by email",
        "Annex 2: Members who took part in resolutions",
        "Signatures", "Member of the board", held.board.display_name,
    ]  # fmt: skip
    flat = " ".join(text.split())
    for element in expected:
        assert element in flat, element
    for i, member in enumerate(members):
        line = next(line for line in text.splitlines() if member.number in line and " · " in line)
        assert member.display_name in line
        assert ("in the room", "online", "by proxy")[i % 3 if i else 0] in line
        assert not re.search(r"\b(YES|NO|ABSTAIN|Yes|No|Abstain)\b", line), line  # never the choice
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Minutes · Ordentliche Generalversammlung 2025" in pages[1]  # running header


def test_agenda_is_the_table_of_contents(session, make_held_assembly):
    held = make_held_assembly(polls=2)
    job = render(session, start(session, held))
    toc = pdf_text(job.pdf)[1]
    assert "Agenda and contents" in toc
    for title in ("Item 1: Bericht des Vorstands", "Item 2: Beschluss 1", "Item 3: Beschluss 2"):
        assert re.search(re.escape(title) + r" \.+ \d+", toc), title


def test_fetcher_refuses_everything_outside_the_app(app):
    fetcher = AppOnlyFetcher()
    for url in (
        "http://example.org/x.css",
        "https://127.0.0.1/",
        "file:///etc/passwd",
        "data:text/css,a{}",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.fetch(rendering_css_url()).content_type == "text/css"


def rendering_css_url() -> str:
    from governance.minutes.pdf_engine import BASE_URL

    return BASE_URL + "print.css"


def test_a_remote_image_is_not_fetched(app, monkeypatch):
    from governance.minutes import pdf_engine as pdf

    seen = []
    original = AppOnlyFetcher.fetch

    def spy(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AppOnlyFetcher, "fetch", spy)
    html = '<link rel="stylesheet" href="print.css"><img src="http://127.0.0.1:9/x.png"><p>x</p>'
    with pytest.raises(RefusedURL):
        pdf.write(html)
    assert seen == [pdf.BASE_URL + "print.css", "http://127.0.0.1:9/x.png"]


@pytest.mark.slow
def test_chunked_annex_matches_single_pass(app):
    layout = AnnexLayout(first_rows=10, rows_per_page=20)
    doc = sample_document(130, items=2)
    single = render_minutes(doc, chunked=False, annex=layout)
    chunked = render_minutes(doc, chunked=True, workers=2, annex=layout)
    assert chunked.page_count == single.page_count
    a, b = pdf_text(single.data), pdf_text(chunked.data)
    assert a == b
    n = len(b)
    for k, page in enumerate(b, start=1):
        assert f"Page {k} of {n}" in page
    assert render_minutes(doc, chunked=True, workers=2, annex=layout).data == chunked.data


def test_every_kind_and_body_has_its_title_phrase():
    from governance.assemblies.models import AssemblyKind, Body
    from governance.minutes.labels import OF_THE

    assert set(OF_THE) == {(k.value, b.value) for k in AssemblyKind for b in Body}


def test_german_title_page_declines_the_kind(app, published):
    app.config["MINUTES_LOCALE"] = "de"
    _held, version = published()
    pages = pdf_text(bytes(version.pdf))
    title = " ".join(pages[0].split())
    assert "Niederschrift der ordentlichen Generalversammlung" in title  # not "ordentlich"
    assert "Revision 1" in title and "Entwurf" not in title
    assert "Niederschrift · Ordentliche Generalversammlung 2025" in pages[1]  # running header


def test_published_title_page_is_the_signed_revision_not_a_draft(session, published):
    _held, version = published()
    approved = session.get(RenderJob, version.render_id)
    assert version.pdf == approved.pdf  # the signed bytes are published: no date can be added
    title = " ".join(pdf_text(bytes(version.pdf))[0].split())
    assert "of the ordinary general assembly" in title
    assert "Revision 1" in title and "draft" not in title.lower()
