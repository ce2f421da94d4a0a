"""What the circular resolutions ask of the domains above them (answered in their provides).

The minutes domain owns the PDF engine (WeasyPrint with a fetcher that refuses everything
outside the app); the body's minutes book uses it through this provider, never by import.
"""

from __future__ import annotations

from governance.hooks import Provider

# --- answered by minutes (governance/minutes/provides_circulars.py) -------------------------
# (html: str) -> (pdf bytes, page count)
write_pdf: Provider = Provider("write_pdf")
