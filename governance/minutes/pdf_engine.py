"""WeasyPrint with a fetcher that refuses everything outside the app; the annex chunk worker.

Kept free of Flask, the database and the rest of the app: the worker processes that lay out
annex chunks import only this module (and WeasyPrint), so each stays small.
"""

from __future__ import annotations

import mimetypes
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

PACKAGE = Path(__file__).resolve().parent.parent
PDF_DIR = PACKAGE / "templates" / "pdf"
BASE_URL = PDF_DIR.as_uri() + "/"
ALLOWED_ROOTS = (PDF_DIR, PACKAGE / "static")


class RefusedURL(ValueError):
    """A resource outside the app was requested while rendering."""


class AppOnlyFetcher(URLFetcher):
    """Serves files from templates/pdf/ and static/ only; everything else is refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.local_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"refused outside the app: {url[:200]}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    @staticmethod
    def local_path(url: str) -> Path | None:
        """The file a URL names, if it is a file: URL inside an allowed folder."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in ALLOWED_ROOTS) or not path.is_file():
            return None
        return path


def layout(html: str) -> Any:
    """Lay out HTML with the app-only fetcher; a refused resource stops the rendering."""
    fetcher = AppOnlyFetcher()
    try:
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    except FatalURLFetchingError as exc:  # a BaseException: turn it into an ordinary error
        raise RefusedURL(f"refused outside the app: {', '.join(fetcher.refused)}") from exc


def to_pdf(document: Any, pages: Sequence[Any]) -> bytes:
    """Write some pages of a laid-out document (no dates; identifier derived from content)."""
    return bytes(document.copy(list(pages)).write_pdf(pdf_identifier=True))


def write(html: str) -> tuple[bytes, int]:
    """Lay out and write one HTML document; returns the PDF and its page count."""
    document = layout(html)
    return to_pdf(document, document.pages), len(document.pages)


class ChunkResult(NamedTuple):
    data: bytes
    peak_kib: int  # peak RSS of the worker so far
    pid: int
    cpu_seconds: float  # CPU time of this chunk


def render_chunk(job: tuple[str, int]) -> ChunkResult:
    """Worker: lay out and write one annex chunk, checking its page count."""
    html, expected_pages = job
    cpu = time.process_time()
    data, pages = write(html)
    if pages != expected_pages:
        raise RuntimeError(f"annex chunk laid out on {pages} pages, expected {expected_pages}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return ChunkResult(data, usage.ru_maxrss, os.getpid(), time.process_time() - cpu)
