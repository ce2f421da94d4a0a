"""What the minutes domain answers for the bodies' circular resolutions (registered on import):
their minutes-book PDF is written by the same engine as the assembly minutes."""

from __future__ import annotations

from governance.bodies import hooks_circulars
from governance.minutes import pdf_engine

hooks_circulars.write_pdf.register(pdf_engine.write)
