"""A member whose statute allows it gives a proxy to their spouse, who is not a member, on
"Meine Teilnahme"; the spouse logs in through the mailed link and accepts on their own page
(at phone width); the secretary sees the proxy marked as not a member's and rejects it with a
reason, which the spouse then reads."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from governance.accounts.models import Role
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import mailed_link, new_page, password_login, submit_and_wait

pytestmark = pytest.mark.e2e
SPOUSE = "rita.neu@e2e.example"


def test_a_spouse_who_is_no_member_accepts_and_the_secretary_rejects(
    one_backend, monkeypatch, serve, browser, smtp, deliver_mail, vote_world, make_user, shots
):
    monkeypatch.setenv("GOVERNANCE_PROXY_RELATIVES", "spouse,child")
    world = vote_world(members=2)
    secretary_user = make_user(roles=[Role.SECRETARY], email="schrift@e2e.example")
    url, a = serve().url, world.assembly_id

    member = password_login(browser, url, world.users[0].email)
    member.goto(f"{url}/assemblies/{a}/me")
    form = member.locator("#give-proxy-relative")
    expect(form.locator("select[name=relationship] option")).to_have_count(2)  # as the statute
    form.locator("input[name=name]").fill("Rita Neu")
    form.locator("input[name=email]").fill(SPOUSE)
    form.locator("select[name=relationship]").select_option("SPOUSE")
    form.locator("input[name=confirm]").check()
    shots(member, "member-names-spouse")
    submit_and_wait(member, "#give-proxy-relative button[type=submit]")
    expect(member.locator("#my-grant")).to_contain_text("Rita Neu")

    deliver_mail()
    body = smtp.to(SPOUSE)[-1].get_body(preferencelist=("plain",)).get_content()
    assert "nicht Mitglied" in body, body  # German, the cooperative's language
    grant_path = re.search(rf"/assemblies/{a}/proxy/\d+", body).group(0)
    spouse = new_page(browser)
    spouse.set_viewport_size({"width": 390, "height": 844})
    spouse.goto(url + mailed_link(smtp, SPOUSE))
    submit_and_wait(spouse)
    spouse.goto(url + grant_path)
    expect(spouse.locator("#relative-grant")).to_contain_text("Ehepartner/in")
    assert spouse.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(spouse) == []
    submit_and_wait(spouse, "#relative-grant form button[type=submit]")
    expect(spouse.locator("#relative-accepted")).to_be_visible()
    shots(spouse, "spouse-accepted")
    member.goto(f"{url}/assemblies/{a}/me")
    expect(member.locator("#my-grant")).to_contain_text("Sie werden durch Rita Neu")

    secretary = password_login(browser, url, secretary_user.email)
    secretary.goto(f"{url}/assemblies/{a}/mandates")
    marked = secretary.locator("#grant-list .badge.relative")
    expect(marked).to_contain_text("kein Mitglied: Ehepartner/in")
    shots(secretary, "secretary-sees-relative")
    grant_id = grant_path.rsplit("/", 1)[-1]
    secretary.fill(f"#reject-{grant_id}", "Keine Ehe nachgewiesen")
    submit_and_wait(secretary, f"#grant-list form[action$='/{grant_id}/reject'] button")
    expect(secretary.locator("#grant-list .badge.relative")).to_have_count(0)
    spouse.goto(url + grant_path)
    expect(spouse.locator("#relative-ended")).to_contain_text("Keine Ehe nachgewiesen")
