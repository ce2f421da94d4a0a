"""A real encrypted poll, sealed and decrypted by the counting services, published, exported and
checked by the standalone verifier on both arithmetics and by the audit's poll checks."""

from __future__ import annotations

import json

import pytest

from governance.audit import verify_bundle as vb
from governance.audit.export import build_bundle
from governance.audit.verify_polls import poll_section
from governance.auditlog import canonical
from governance.ballots import decrypt
from governance.ballots.models import Poll
from governance.ballots.publishing import publish_poll
from governance.db import utcnow
from tests.factories_encrypted import cast_encrypted, decrypt_share, encrypted_poll, seal, teller


def _decrypted_and_published(world):
    ep = encrypted_poll(world)
    for i, c in enumerate(["YES", "NO", "YES"]):
        cast_encrypted(world, ep, i, c)
    seal(world, ep)
    with world.session() as s:
        for j in (1, 3):
            poll = s.get(Poll, ep.poll_id)
            wire = decrypt_share(world, ep, j)
            decrypt.post_share(s, poll=poll, teller=teller(world, ep, j), wire=wire, actor=None)
        publish_poll(s, poll=s.get(Poll, ep.poll_id), actor=None, declaration="Ja.", now=utcnow())
        s.commit()
    return ep


@pytest.mark.parametrize("arith", ["nacl", "pure"])
def test_the_bundle_of_a_counted_poll_verifies(vote_world, arith):
    world = vote_world(members=4)
    ep = _decrypted_and_published(world)
    with world.session() as s:
        bundle = json.loads(canonical(build_bundle(s, poll_id=ep.poll_id)))
    vb.ARITH = arith
    try:
        report = vb.verify(bundle)
    finally:
        vb.ARITH = None
    failed = [line for line in report.lines if line.startswith("[FAIL]")]
    assert not failed, "\n".join(report.lines)
    assert [d["teller"] for d in bundle["encryption"]["decryptions"]] == [1, 3]
    # The verifier refuses the same bundle with a partial decryption changed.
    bundle["encryption"]["decryptions"][0]["shares"][0]["d"] = bundle["encryption"]["decryptions"][
        0
    ]["shares"][1]["d"]
    vb.ARITH = arith
    try:
        report = vb.verify(bundle)
    finally:
        vb.ARITH = None
    assert any(line.startswith("[FAIL]") for line in report.lines)


def test_the_audit_checks_of_a_counted_poll_pass(vote_world):
    world = vote_world(members=4)
    ep = _decrypted_and_published(world)
    with world.session() as s:
        section = poll_section(s, s.get(Poll, ep.poll_id))
    failed = [(c.code, c.differences) for c in section.checks if not c.ok]
    assert not failed
    assert "poll.encryption" in [c.code for c in section.checks]
