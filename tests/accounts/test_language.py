"""Language switch (German default, English) and dates shown in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string

from governance.accounts.models import Role, User
from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "de"}


def _lang(response) -> str:
    head = response.data.split(b">", 2)[1]
    return head.split(b'lang="', 1)[1].split(b'"', 1)[0].decode()


def test_german_is_the_default(client):
    assert _lang(client.get("/login")) == "de"


def test_switch_language_anonymously_and_come_back(client):
    r = client.post("/lang/en", data={"next": "/password/reset"})
    assert r.status_code == 302 and r.headers["Location"] == "/password/reset"
    assert _lang(client.get("/login")) == "en"
    client.post("/lang/de", data={"next": "https://evil.example/"})
    assert _lang(client.get("/login")) == "de"


def test_choice_is_kept_in_the_account(app, login, session):
    client = login()
    r = client.post("/lang/en", data={"next": "/"})
    assert r.status_code == 302
    assert session.get(User, client.user.id).locale == "en"
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": client.user.email, "password": PASSWORD})
    assert _lang(other_browser.get("/")) == "en"


def test_unknown_language_is_404(client):
    assert client.post("/lang/fr").status_code == 404


def test_language_switch_is_rendered_in_the_header(client):
    page = client.get("/login").data
    assert b'action="/lang/en"' in page
    assert b'action="/lang/de"' not in page  # the current language is not offered


def test_dates_are_shown_in_berlin_time(app):
    summer = datetime(2025, 7, 1, 10, 30, tzinfo=UTC)  # CEST, UTC+2
    winter = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)  # CET, UTC+1
    with app.test_request_context():
        out = render_template_string("{{ a|dt }} | {{ b|dt }} | {{ a|d }}", a=summer, b=winter)
    assert out == "01.07.2025, 12:30 | 15.01.2025, 11:30 | 01.07.2025"  # no seconds


def test_midnight_utc_is_the_next_local_day(app):
    with app.test_request_context():
        out = render_template_string(
            "{{ v|dt('short') }}", v=datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
        )
    assert out == "01.01.26, 00:30"


def test_a_stored_time_is_shown_in_berlin_time_on_a_page(app, login, make_user, session):
    admin = login(roles=[Role.ADMIN])
    admin.post("/lang/en", data={"next": "/"})
    user = make_user()
    row = session.get(User, user.id)
    row.last_login_at = datetime(2025, 7, 1, 22, 5, tzinfo=UTC)
    session.commit()
    page = admin.get("/admin/users").data.decode()
    assert "Jul 2, 2025, 12:05\u202fAM" in page  # 22:05 UTC is 00:05 on the next day in Berlin
