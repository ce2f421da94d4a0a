"""What the minutes domain answers for the bodies' circular resolutions (registered on import):
their minutes-book PDF is written by the same engine as the assembly minutes."""

from __future__ import annotations

from governance.bodies import hooks_circulars


def _write(html: str) -> tuple[bytes, int]:
    """WeasyPrint is imported where a circular's PDF is written only (see pdf._engine): the web
    workers that never render a PDF do not pay its 30 MiB."""
    from governance.minutes import pdf_engine

    return pdf_engine.write(html)


hooks_circulars.write_pdf.register(_write)
