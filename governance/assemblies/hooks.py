"""What the assemblies domain asks of the domains above it, and the events it announces.

Ballots and proposals sit above assemblies: they answer these questions in their
`provides.py`, registered when their package is imported (the app imports every domain at
start), so that assemblies never imports them.
"""

from __future__ import annotations

from governance.hooks import Provider, signals

# --- answered by ballots (governance/ballots/provides.py) -----------------------------------
# (session, *, assembly_id) -> bool: whether any poll of the assembly has been opened.
has_opened_poll: Provider = Provider("has_opened_poll")
# (session, *, poll_id, member_id) -> bool: whether the member's vote is in (own or by proxy).
has_voted: Provider = Provider("has_voted")
# (session, *, assembly_id) -> dict | None: the open poll, its turnout and its ballot.
open_poll: Provider = Provider("open_poll")
# (session, *, assembly_id) -> dict | None: the result published last.
latest_result: Provider = Provider("latest_result")

# --- answered by tellers (governance/tellers/provides.py) -------------------------------------
# (session, *, assembly_id) -> dict | None: the assembly's key ceremony as its page, the
# invitation and the minutes show it: {"state", "n", "t", "key_fingerprint" (grouped, once
# READY), "tellers": [names by number]}; None without one.
key_ceremony: Provider = Provider("key_ceremony")

# --- answered by proposals (governance/proposals/provides.py) -------------------------------
# (session, *, assembly_id, public_only) -> list: the proposals shown on the assembly's page.
proposals_of_assembly: Provider = Provider("proposals_of_assembly")

# --- signals ---------------------------------------------------------------------------------
# Sent with the assembly and `session=` before a draft assembly is deleted. A receiver refuses
# by raising DomainError, or returns a dict of facts for the audit event.
assembly_deleting = signals.signal("assembly-deleting")
# Sent by the demo seeder with the assembly, `session=`, `actor=` and `now=` after its agenda
# is set and before it is convened: higher domains add their demo data to it.
demo_assembly_prepared = signals.signal("demo-assembly-prepared")

# --- events for members' notifications (received by governance/notify/provides.py) ----------
# Sent with the assembly, `session=`, `kind=` (NoticeKind), `mailing_id=` and `member_ids=`
# (those written to by mail) once the invitations or a supplement are queued.
notices_queued = signals.signal("notices-queued")
# Sent with the assembly, `session=` and `now=` once the chair has opened it.
assembly_opened = signals.signal("assembly-opened")
# Sent with the attachment, `session=`, `assembly_id=` and `item=` once a document is stored.
attachment_added = signals.signal("attachment-added")
# --- the cockpit and the screen (answered by ballots) ----------------------------------------
# (session, *, assembly_id) -> dict: {"open": {"id", "title", "cast", "by_proxy"} | None,
# "sealed": [{"id", "title"}] (closed, waiting for the declaration), "drafts": [{"id", "title",
# "item_id"}]} — the polls as the chair runs them.
poll_overview: Provider = Provider("poll_overview")
# (session, *, poll_id) -> Markup | None: the published result's bar chart (SVG).
result_chart: Provider = Provider("result_chart")
# (session, *, poll_id, member_id) -> int: votes the member may still cast in the poll (their
# own, if on the roll, and those of the members they represent).
votes_waiting: Provider = Provider("votes_waiting")
