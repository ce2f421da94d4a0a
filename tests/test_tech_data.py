"""Technical verification data on members' pages (issue #16, part 8): every hash a member's
page shows (roll hash, Merkle root, SHA-256 of minutes versions) stands in the collapsed
"Technical verification data" section (`tech()` in templates/macros/layout.html), and every
page links the favicon.

The member opens every GET page of the URL map with real ids (tests/e2e/crawl.py: the demo
cooperative plus an assembly with published minutes), with the test client: the subject is
the markup, not the layout. One backend (SQLite).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from governance.accounts.models import Role
from tests.e2e import crawl

HASH = re.compile(r"\b[0-9a-f]{40,}\b")


class Outside(HTMLParser):
    """The text of a page outside <details class="tech">; whether it links the favicon."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # <details> nesting; > 0 once inside a tech section
        self.stack: list[bool] = []
        self.text: list[str] = []
        self.icon = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "details":
            tech = "tech" in (values.get("class") or "").split()
            self.stack.append(tech)
            self.depth += tech
        if tag == "link" and values.get("rel") == "icon":
            self.icon = "favicon" in (values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.stack:
            self.depth -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.text.append(data)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_members_pages_keep_hashes_in_the_technical_section(app, make_held_assembly):
    crawl.seed_cooperative(app, make_held_assembly)
    found = crawl.targets(app, crawl.value_sets(app))
    client = app.test_client()
    r = client.post("/login", data={"email": crawl.LOGINS[Role.MEMBER], "password": crawl.PASSWORD})
    assert r.status_code == 302
    problems, pages, hashes = [], 0, 0
    for target in found:
        response = client.get(target.url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        page = response.get_data(as_text=True)
        hashes += len(HASH.findall(page))
        parser = Outside()
        parser.feed(page)
        shown = HASH.findall(" ".join(parser.text))
        if shown:
            problems.append(f"{target.url}: {shown[0][:16]}… outside the technical section")
        if not parser.icon:
            problems.append(f"{target.url}: no favicon")
    assert pages >= 10 and hashes >= 3, (pages, hashes)  # the crawl reached pages with hashes
    assert problems == [], "\n".join(problems)


def test_the_favicon_is_served(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and b"<svg" in response.data
