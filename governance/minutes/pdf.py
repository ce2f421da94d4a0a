"""The minutes as PDF: WeasyPrint from templates/pdf/, deterministic, no network.

Small documents are laid out in one pass. For large assemblies the participation annex (one
fixed-height line per member, paginated here so every page count is known in advance) is laid
out in parallel chunks by worker processes; the main part is rendered with blank placeholder
pages in place of the chunks, so its "page x of y" and table of contents are right, and the
chunks start their page counter where the main part leaves off. pypdf merges the parts.

Same document in, same bytes out: no creation date, a PDF identifier derived from the content.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from governance.ballots.charts import bar_chart
from governance.minutes.document import MinutesDocument
from governance.minutes.polls import PollRecord

FIRST_ANNEX_ROWS = 44  # the annex's first page also holds its heading and introduction
ROWS_PER_PAGE = 60  # print.css: 4 mm per line on A4 with 25/20 mm margins
CHUNK_THRESHOLD = 2000  # participants from which the annex is rendered in parallel chunks


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    sha256: str
    page_count: int
    # For the benchmark: peak RSS of each annex worker and the CPU seconds each one spent.
    worker_peak_kib: tuple[int, ...] = ()
    worker_cpu_seconds: tuple[float, ...] = ()


@dataclass(frozen=True)
class AnnexLayout:
    """How the participation list falls onto pages: the first page, then full pages."""

    first_rows: int = FIRST_ANNEX_ROWS
    rows_per_page: int = ROWS_PER_PAGE

    def pages(self, rows: Sequence[Any]) -> list[Sequence[Any]]:
        """The rows of each annex page (at least one page, possibly empty)."""
        pages: list[Sequence[Any]] = [rows[: self.first_rows]]
        for start in range(self.first_rows, len(rows), self.rows_per_page):
            pages.append(rows[start : start + self.rows_per_page])
        return pages


# --- HTML ------------------------------------------------------------------------------------


def _labels() -> dict[str, Any]:
    from governance.minutes import labels

    return labels.all_labels()


def _chart(poll: PollRecord, text: dict[str, Any]) -> str:
    """The ballots domain's SVG bar chart of the result (inline: nothing is fetched)."""
    result = poll.result or {}
    if poll.kind == "MOTION":
        counts, names = result.get("counts", {}), text["choice"]
        rows = [(names[c], counts.get(c, 0), c.lower()) for c in ("YES", "NO", "ABSTAIN")]
        if result.get("invalid"):
            rows.append((names["INVALID"], result["invalid"], "other"))
    else:
        per_candidate = poll.election_mode == "YES_NO_ABSTAIN_PER_CANDIDATE"
        rows = [
            (
                c["label"],
                c["yes"] if per_candidate else c["votes"],
                "yes" if c["elected"] else "other",
            )
            for c in result.get("candidates", [])
        ]
    return str(bar_chart(rows, title=poll.title))


def _main_html(doc: MinutesDocument, annex: AnnexLayout, *, inline_annex: bool) -> str:
    text = _labels()
    annex_pages = annex.pages(doc.participants)
    return render_template(
        "pdf/minutes.html",
        doc=doc,
        text=text,
        charts={p.id: _chart(p, text) for p in doc.polls if p.sealed},
        first_rows=annex_pages[0],
        rest_pages=annex_pages[1:] if inline_annex else [[] for _ in annex_pages[1:]],
        placeholders=not inline_annex,
    )


def _chunk_html(
    doc: MinutesDocument, pages: Sequence[Sequence[Any]], first: int, total: int
) -> str:
    return render_template(
        "pdf/annex_chunk.html",
        doc=doc,
        text=_labels(),
        pages=pages,
        first_page=first,
        total_pages=total,
    )


# --- rendering ---------------------------------------------------------------------------------


def pdf_locale() -> str:
    """The language of the minutes: the cooperative's, not the reader's."""
    return str(current_app.config["MINUTES_LOCALE"] or current_app.config["BABEL_DEFAULT_LOCALE"])


def render_minutes(
    doc: MinutesDocument,
    *,
    chunked: bool | None = None,
    workers: int | None = None,
    annex: AnnexLayout | None = None,
) -> RenderedPdf:
    """Render the minutes; `chunked` None decides by the number of participants."""
    annex = annex or AnnexLayout()
    if chunked is None:
        chunked = len(doc.participants) > CHUNK_THRESHOLD
    with force_locale(pdf_locale()):
        if not chunked or len(annex.pages(doc.participants)) < 2:
            data, pages = _engine().write(_main_html(doc, annex, inline_annex=True))
            return RenderedPdf(data, hashlib.sha256(data).hexdigest(), pages)
        return _render_chunked(doc, annex, workers or default_workers())


def _engine() -> Any:
    """WeasyPrint, imported where a PDF is rendered only: it costs every process that imports
    it some 30 MiB, and most processes (the web workers) never render a PDF."""
    from governance.minutes import pdf_engine

    return pdf_engine


def default_workers() -> int:
    """Worker processes for the annex: the configured number, else one per CPU."""
    configured = current_app.config["MINUTES_RENDER_WORKERS"]
    return max(1, int(configured or os.cpu_count() or 1))


def _render_chunked(doc: MinutesDocument, annex: AnnexLayout, workers: int) -> RenderedPdf:
    engine = _engine()
    rest = annex.pages(doc.participants)[1:]
    with worker_pool(min(workers, len(rest))) as pool:  # workers start during the main layout
        document = engine.layout(_main_html(doc, annex, inline_annex=False))
        total = len(document.pages)
        kept = total - len(rest)
        main = engine.to_pdf(document, document.pages[:kept])
        del document
        jobs = _chunk_jobs(doc, rest, first=kept + 1, total=total, chunks=workers * 2)
        results = list(pool.map(engine.render_chunk, jobs))
    data = merge([main, *(r.data for r in results)])
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for r in results:
        peaks[r.pid] = max(r.peak_kib, peaks.get(r.pid, 0))
        cpu[r.pid] = cpu.get(r.pid, 0.0) + r.cpu_seconds
    digest = hashlib.sha256(data).hexdigest()
    return RenderedPdf(data, digest, total, tuple(peaks.values()), tuple(cpu.values()))


def worker_pool(size: int) -> ProcessPoolExecutor:
    """Started worker processes for annex chunks.

    forkserver: workers fork from a clean server that preloaded only WeasyPrint, never from
    this process with its threads and database connections.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["governance.minutes.pdf_engine"])
    pool = ProcessPoolExecutor(max_workers=max(1, size), mp_context=context)
    for _ in range(max(1, size)):
        pool.submit(os.getpid)
    return pool


def _chunk_jobs(
    doc: MinutesDocument, pages: list[Sequence[Any]], *, first: int, total: int, chunks: int
) -> list[tuple[str, int]]:
    size = max(5, -(-len(pages) // max(1, chunks)))
    jobs = []
    for start in range(0, len(pages), size):
        part = pages[start : start + size]
        jobs.append((_chunk_html(doc, part, first + start, total), len(part)))
    return jobs


def merge(parts: list[bytes]) -> bytes:
    """Concatenate PDFs with pypdf, deterministically (fixed info, no dates, no random id)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    writer.add_metadata({"/Producer": "governance (WeasyPrint, pypdf)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
