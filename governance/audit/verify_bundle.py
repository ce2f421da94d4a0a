#!/usr/bin/env python3
"""Check a poll bundle exported by `governance audit export` — Python standard library only.

Usage:  python3 verify_bundle.py [--arith nacl|pure] BUNDLE.json   (or - for standard input)
        python3 verify_bundle.py [--arith nacl|pure] audit CHECKFILE.json   (a voter's ballot
        check file from the voting page: recomputes its ciphertexts, proofs and tracker)
See docs/audit.md and docs/coopvote.md.
Exit:   0 every check passed · 1 a check failed · 2 the input cannot be read

This file is meant to be copied and read by an external auditor: it imports nothing from the
application. For encrypted polls it needs coopvote.py (download it next to this file); that
module uses PyNaCl when installed and its own pure-Python arithmetic otherwise (--arith pure
forces the second, independent path). It recomputes, from the bundle alone:
  - the roll hash (sha256 over the sorted "number:weight" lines, joined by newlines);
  - the participations: unique, on the roll, not excluded, proxy casts backed by a mandate,
    no proxy for more than two members, one ballot per vote cast online;
  - the ballot box: trackers well-formed, unique and sorted; every choice valid for the poll;
  - the Merkle root: leaf = sha256("v1|<poll id>|<tracker hex>|<choice>"), leaves sorted
    bytewise, node = sha256(0x01 || left || right), an odd last node carried up, empty box =
    sha256(""); compared with the root on the poll, in the audit chain and in the minutes;
  - the tally and the majority rule, compared field by field with the published result;
  - for an encrypted poll: the key ceremony (every teller's proof, the fingerprint all tellers
    confirmed, the poll key and its fingerprint), every ballot's proofs and tracker, distinct α,
    the homomorphic sums, every teller's partial decryption with its proof, and that every set
    of t tellers decrypts the sums to the same counts — which then enter the tally.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sys
from collections import Counter
from typing import Any


def _coopvote() -> Any:
    """coopvote.py from this file's folder (an auditor's copy), else the installed app's."""
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.exists(os.path.join(here, "coopvote.py")):
        sys.path.insert(0, here)
        try:
            import coopvote  # type: ignore[import-not-found]
        finally:
            sys.path.remove(here)
        return coopvote
    try:
        import coopvote  # type: ignore[import-not-found,no-redef]  # on the path (tools/)
    except ImportError:
        try:
            from governance import coopvote  # type: ignore[no-redef]
        except ImportError:
            return None
    return coopvote


ARITH: str | None = None  # set by --arith

FORMAT, VERSION = "governance.poll-bundle", 1
YES, NO, ABSTAIN, INVALID, BALLOTS = "YES", "NO", "ABSTAIN", "INVALID", "BALLOTS"
MOTION_CHOICES = (YES, NO, ABSTAIN)
ANSWERS = {"Y": "yes", "N": "no", "A": "abstain"}
TRACKER = re.compile(r"^[0-9a-f]{32}$")
MAX_LISTED = 10


class Report:
    """Collects pass/fail lines; `ok` when nothing failed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = 0

    def check(self, name: str, problems: list[str]) -> None:
        if not problems:
            self.lines.append(f"[ OK ] {name}")
            return
        self.failed += 1
        self.lines.append(f"[FAIL] {name}")
        self.lines += [f"         - {p}" for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            self.lines.append(f"         - ... and {len(problems) - MAX_LISTED} more")


# --- hashes -------------------------------------------------------------------------------


def roll_hash(entries: list[dict]) -> str:
    lines = sorted((e["member"], int(e["weight"])) for e in entries)
    text = "\n".join(f"{n}:{w}" for n, w in lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf(poll_id: int, tracker_hex: str, choice: str) -> bytes:
    return hashlib.sha256(f"v1|{poll_id}|{tracker_hex}|{choice}".encode()).digest()


def merkle_root(leaves: list[bytes]) -> str:
    level = sorted(leaves)
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        nxt = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


# --- choices ------------------------------------------------------------------------------


def decode(poll: dict, choice: str) -> object:
    """The meaning of a choice: ABSTAIN, YES/NO, {id: Y|N|A}, frozenset(ids); None if invalid."""
    ids = [o["id"] for o in poll["options"]]
    if choice == ABSTAIN:
        return ABSTAIN
    if poll["kind"] == "MOTION":
        return choice if choice in MOTION_CHOICES else None
    if poll["election_mode"] == "YES_NO_ABSTAIN_PER_CANDIDATE":
        answers = {}
        for part in choice.split(";"):
            oid, sep, answer = part.partition("=")
            if not sep or not oid.isdigit() or answer not in ANSWERS or int(oid) in answers:
                return None
            answers[int(oid)] = answer
        canonical = ";".join(f"{k}={answers[k]}" for k in sorted(answers))
        return answers if sorted(answers) == sorted(ids) and canonical == choice else None
    parts = choice.split(",")
    if not all(p.isdigit() for p in parts):
        return None
    chosen = frozenset(int(p) for p in parts)
    canonical = ",".join(str(i) for i in sorted(chosen))
    ok = chosen <= set(ids) and len(chosen) <= poll["seats"] and canonical == choice
    return chosen if ok else None


# --- majority rules (domain.md, "Majorities") ---------------------------------------------


def evaluate_majority(rule: str, yes: int, no: int) -> tuple[str, int]:
    cast = yes + no
    if rule in ("SIMPLE", "RELATIVE"):
        if cast and yes == no:
            return "TIE", no + 1
        return ("ADOPTED" if yes > no else "REJECTED"), no + 1
    num, den = (3, 4) if rule == "THREE_QUARTERS" else (9, 10)
    required = max(1, -(-num * cast // den))
    return ("ADOPTED" if cast and yes * den >= num * cast else "REJECTED"), required


def fill_seats(ranked: list[tuple[str, int]], seats: int) -> tuple[list[str], list[str]]:
    scored = sorted((c for c in ranked if c[1] > 0), key=lambda c: -c[1])
    if len(scored) <= seats:
        return [c[0] for c in scored], []
    boundary = scored[seats - 1][1]
    if scored[seats][1] != boundary:
        return [c[0] for c in scored[:seats]], []
    return [c[0] for c in scored if c[1] > boundary], [c[0] for c in scored if c[1] == boundary]


# --- the tally ----------------------------------------------------------------------------


def paper_ballots(poll: dict, paper: dict) -> int:
    if poll["kind"] == "MOTION":
        return sum(paper.get(k, 0) for k in (YES, NO, ABSTAIN, INVALID))
    return paper.get(BALLOTS, 0) + paper.get(INVALID, 0)


def tally_motion(poll: dict, online: Counter, paper: dict) -> dict:
    counts = {c: online.get(c, 0) + paper.get(c, 0) for c in MOTION_CHOICES}
    yes, no = counts[YES], counts[NO]
    outcome, required = evaluate_majority(poll["majority"], yes, no)
    bad = sum(n for c, n in online.items() if c not in MOTION_CHOICES)
    return {
        "counts": counts,
        "online_counts": {c: online.get(c, 0) for c in MOTION_CHOICES},
        "invalid": paper.get(INVALID, 0) + bad,
        "abstentions": counts[ABSTAIN],
        "votes_cast": yes + no,
        "valid": yes + no + counts[ABSTAIN],
        "outcome": outcome,
        "required": required,
        "achieved": yes,
    }


def _candidates(poll: dict) -> dict[int, dict]:
    zero = {"yes": 0, "no": 0, "abstain": 0, "votes": 0}
    flags = {"passed": False, "elected": False, "tied": False}
    return {
        o["id"]: {"option_id": o["id"], "label": o["label"], **zero, **flags}
        for o in poll["options"]
    }


def _add_online(poll: dict, cands: dict, online: Counter, acc: Counter) -> None:
    per_candidate = poll["election_mode"] == "YES_NO_ABSTAIN_PER_CANDIDATE"
    for choice, n in online.items():
        meaning = decode(poll, choice)
        if meaning is None:
            acc["invalid"] += n
        elif meaning == ABSTAIN:
            acc["abstentions"] += n
            for cand in cands.values():
                cand["abstain"] += n if per_candidate else 0
        elif isinstance(meaning, dict):
            for oid, answer in meaning.items():
                cands[oid][ANSWERS[answer]] += n
        else:
            for oid in meaning:
                cands[oid]["votes"] += n


def _add_paper(cands: dict, paper: dict, acc: Counter) -> None:
    acc["invalid"] += paper.get(INVALID, 0)
    acc["abstentions"] += paper.get(ABSTAIN, 0)
    for item, n in paper.items():
        oid, _sep, answer = item.partition(":")
        if oid.isdigit() and int(oid) in cands:
            cands[int(oid)][ANSWERS.get(answer, "abstain") if answer else "votes"] += n


def tally_election(
    poll: dict,
    online: Counter,
    paper: dict,
    decrypted: list[list[int]] | None = None,
    n_encrypted: int = 0,
) -> dict:
    cands, acc = _candidates(poll), Counter()
    if decrypted is not None:
        add_decrypted(poll, cands, decrypted, acc)
        valid = n_encrypted
    else:
        _add_online(poll, cands, online, acc)
        valid = sum(online.values()) - sum(n for c, n in online.items() if decode(poll, c) is None)
    _add_paper(cands, paper, acc)
    valid += paper.get(BALLOTS, 0)
    if poll["election_mode"] == "YES_NO_ABSTAIN_PER_CANDIDATE":
        for c in cands.values():
            c["passed"] = evaluate_majority(poll["majority"], c["yes"], c["no"])[0] == "ADOPTED"
        ranked = [(c["label"], c["yes"]) for c in cands.values() if c["passed"]]
    else:
        ranked = [(c["label"], c["votes"]) for c in cands.values()]
    elected, tied = fill_seats(ranked, poll["seats"])
    for c in cands.values():
        c["elected"], c["tied"] = c["label"] in elected, c["label"] in tied
    outcome = "TIE" if tied else ("ELECTED" if elected else "REJECTED")
    return {
        "invalid": acc["invalid"],
        "abstentions": acc["abstentions"],
        "valid": valid,
        "votes_cast": valid - acc["abstentions"],
        "elected": elected,
        "tied": tied,
        "outcome": outcome,
        "candidates": list(cands.values()),
    }


def people(bundle: dict) -> dict:
    poll, parts = bundle["poll"], bundle["participations"]
    excluded = set(bundle["exclusions"])
    weights = {
        e["member"]: (int(e["weight"]) if poll["weighted"] else 1)
        for e in bundle["roll"]["entries"]
    }
    by_channel = Counter(p["channel"] for p in parts)
    return {
        "roll_size": sum(1 for m in weights if m not in excluded),
        "roll_votes": sum(w for m, w in weights.items() if m not in excluded),
        "participants": len(parts),
        "participants_online": by_channel["ONLINE"],
        "participants_proxy": by_channel["PROXY"],
        "participants_room": by_channel["ROOM"],
        "turnout_votes": sum(weights.get(p["member"], 0 if poll["weighted"] else 1) for p in parts),
    }


def add_decrypted(poll: dict, cands: dict, counts: list[list[int]], acc: Counter) -> None:
    """Decrypted counts per option (docs/coopvote.md): per candidate, in the options' order.

    Choose up to N: one count per candidate, then the explicit abstentions. Yes/no/abstain per
    candidate: three counts per candidate; such a ballot has no whole-ballot abstention.
    """
    ids = [o["id"] for o in sorted(poll["options"], key=lambda o: o["position"])]
    if poll["election_mode"] == "CHOOSE_UP_TO_N":
        for oid, n in zip(ids, counts[0], strict=False):
            cands[oid]["votes"] += n
        acc["abstentions"] += counts[0][len(ids)]
        return
    for oid, row in zip(ids, counts, strict=True):
        for answer, n in zip(ANSWERS, row, strict=True):
            cands[oid][ANSWERS[answer]] += n


def recompute_result(bundle: dict, counts: list[list[int]] | None = None) -> dict:
    poll, paper = bundle["poll"], bundle["paper_counts"]
    online = Counter(b["choice"] for b in bundle["ballots"])
    decrypted = None
    if bundle.get("encryption"):
        online = Counter()
        if counts is not None and poll["kind"] == "MOTION":
            online = Counter(dict(zip(MOTION_CHOICES, counts[0], strict=True)))
        elif counts is not None:
            decrypted = counts
    result = {
        "poll_id": poll["id"],
        "kind": poll["kind"],
        "election_mode": poll["election_mode"],
        "majority": poll["majority"],
        "weighted": poll["weighted"],
        "seats": poll["seats"],
        "ballots_online": sum(online.values()),
        "ballots_paper": paper_ballots(poll, paper),
        "paper_counts": dict(paper),
        **people(bundle),
    }
    result["ballots_online"] = len(bundle["ballots"])
    if poll["kind"] == "MOTION":
        result.update(tally_motion(poll, online, paper))
    else:
        result.update(tally_election(poll, online, paper, decrypted, len(bundle["ballots"])))
    return result


# --- the checks ---------------------------------------------------------------------------


def check_roll(bundle: dict, report: Report) -> None:
    roll = bundle["roll"]
    got = roll_hash(roll["entries"])
    problems = [] if got == roll["hash"] else [f"recorded {roll['hash']}, recomputed {got}"]
    report.check("roll hash recomputes from the roll", problems)


def check_participations(bundle: dict, report: Report) -> None:
    roll = {e["member"] for e in bundle["roll"]["entries"]}
    excluded = set(bundle["exclusions"])
    mandates = {(m["principal"], m["proxy"]) for m in bundle["mandates"]}
    members = Counter(p["member"] for p in bundle["participations"])
    dup = [f"{m} took part {n} times" for m, n in sorted(members.items()) if n > 1]
    report.check("each member took part at most once", dup)
    outside = [p["member"] for p in bundle["participations"] if p["member"] not in roll]
    report.check("every participation is on the roll", [f"{m} is not on the roll" for m in outside])
    barred = [
        p["member"]
        for p in bundle["participations"]
        if p["member"] in excluded or p["cast_by"] in excluded
    ]
    report.check("no excluded member voted (§43(6))", [f"{m}: excluded" for m in barred])
    proxy = [p for p in bundle["participations"] if p["channel"] == "PROXY"]
    lacking = [
        f"{p['cast_by']} cast for {p['member']} without a mandate"
        for p in proxy
        if (p["member"], p["cast_by"]) not in mandates
    ]
    report.check("every proxy cast has a mandate", lacking)
    principals: dict[str, set[str]] = {}
    for member, holder in [(m["principal"], m["proxy"]) for m in bundle["mandates"]] + [
        (p["member"], p["cast_by"]) for p in proxy
    ]:
        principals.setdefault(holder, set()).add(member)
    over = [f"{x} represents {len(s)} members" for x, s in sorted(principals.items()) if len(s) > 2]
    report.check("no proxy represents more than two members (§43(5))", over)


def check_counts(bundle: dict, report: Report, recomputed: dict) -> None:
    poll = bundle["poll"]
    weights = {e["member"]: int(e["weight"]) for e in bundle["roll"]["entries"]}
    online = [p for p in bundle["participations"] if p["channel"] != "ROOM"]
    room = [p for p in bundle["participations"] if p["channel"] == "ROOM"]
    votes = sum(weights.get(p["member"], 1) if poll["weighted"] else 1 for p in online)
    problems = []
    if votes != len(bundle["ballots"]):
        problems.append(f"{votes} votes cast online or by proxy, {len(bundle['ballots'])} ballots")
    paper = recomputed["ballots_paper"]
    room_votes = sum(weights.get(p["member"], 1) if poll["weighted"] else 1 for p in room)
    if room and paper != room_votes:
        problems.append(f"{room_votes} votes handed in on paper, the tellers counted {paper}")
    report.check("participations and ballots match in number", problems)


def check_box(bundle: dict, report: Report) -> None:
    trackers = [b["tracker"] for b in bundle["ballots"]]
    bad = [t for t in trackers if not TRACKER.match(t)]
    dup = [t for t, n in Counter(trackers).items() if n > 1]
    problems = [f"malformed tracker {t}" for t in bad] + [f"tracker {t} appears twice" for t in dup]
    if trackers != sorted(trackers):
        problems.append("the box is not sorted by tracker")
    report.check("trackers are well-formed, unique and sorted", problems)
    if bundle.get("encryption"):
        plain = [b["tracker"] for b in bundle["ballots"] if b["choice"] or not b.get("cipher")]
        report.check(
            "every ballot is encrypted (no plaintext choice)",
            [f"{t}: a plaintext choice or no ciphertext" for t in plain],
        )
        return
    invalid = [
        f"{b['tracker']}: {b['choice']!r}"
        for b in bundle["ballots"]
        if decode(bundle["poll"], b["choice"]) is None
    ]
    report.check("every choice is valid for the poll", invalid)


def check_root(bundle: dict, report: Report) -> None:
    pid, seal = bundle["poll"]["id"], bundle["seal"]
    got = merkle_root(
        [leaf(pid, b["tracker"], b.get("cipher") or b["choice"]) for b in bundle["ballots"]]
    )
    problems = (
        []
        if got == seal["merkle_root"]
        else [f"the poll records {seal['merkle_root']}, the box recomputes to {got}"]
    )
    event = seal.get("audit_event")
    if not event:
        problems.append("the bundle has no audit-chain record of the seal")
    elif event.get("merkle_root") != got:
        problems.append(f"audit event {event.get('seq')} records {event.get('merkle_root')}")
    minutes = seal.get("minutes")
    if minutes and minutes.get("root") != got:
        stated = minutes.get("root") or "another root"
        problems.append(f"the published minutes (version {minutes.get('version')}) state {stated}")
    report.check("Merkle root recomputes and matches poll, audit chain and minutes", problems)


def _differences(path: str, published: object, recomputed: object) -> list[str]:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        return [
            d
            for k in sorted(published.keys() & recomputed.keys())
            for d in _differences(f"{path}.{k}", published[k], recomputed[k])
        ]
    if isinstance(published, list) and isinstance(recomputed, list):
        if len(published) != len(recomputed):
            return [f"{path}: {len(published)} published, {len(recomputed)} recomputed"]
        return [
            d
            for i, (a, b) in enumerate(zip(published, recomputed, strict=True))
            for d in _differences(f"{path}[{i}]", a, b)
        ]
    return (
        []
        if published == recomputed
        else [f"{path}: published {published!r}, recomputed {recomputed!r}"]
    )


def check_result(bundle: dict, report: Report, recomputed: dict) -> None:
    published = bundle.get("result")
    if published is None:
        report.check("tally recomputes to the published result", ["no result is published"])
        return
    report.check(
        "tally recomputes to the published result", _differences("result", published, recomputed)
    )


# --- encrypted polls (docs/coopvote.md) -----------------------------------------------------


def _key(cv: Any, bundle: dict) -> Any:
    enc = bundle["encryption"]
    c = enc["ceremony"]
    return cv.PollKey(
        c["id"], c["public_key"], enc["assembly_uuid"], enc["poll_uuid"], enc["definition"]
    )


def check_ceremony(cv: Any, bundle: dict, report: Report) -> dict[int, Any]:
    """The transcript of the key ceremony; returns the verified round-1 entries."""
    c = bundle["encryption"]["ceremony"]
    entries, problems = {}, []
    for teller in c["tellers"]:
        i = teller["index"]
        try:
            cv.check_round1(c["id"], i, c["t"], teller["round1"], arith=ARITH)
            entries[i] = teller["round1"]
        except (cv.Invalid, TypeError, KeyError) as exc:
            problems.append(f"teller {i}: {exc}")
    report.check("every teller's round-1 proof verifies", problems)
    problems = []
    if sorted(entries) != list(range(1, c["n"] + 1)):
        problems.append(f"round-1 entries of tellers {sorted(entries)}, {c['n']} expected")
    else:
        fp = cv.fingerprint(c["id"], c["n"], c["t"], entries, arith=ARITH)
        if fp != c["fingerprint"]:
            problems.append(f"the ceremony records fingerprint {c['fingerprint']}, recomputed {fp}")
        problems += [
            f"teller {t['index']} confirmed {t['confirmed']}"
            for t in c["tellers"]
            if t["confirmed"] != fp
        ]
        y = cv.poll_key(entries, arith=ARITH)
        if y != c["public_key"]:
            problems.append(f"the poll key is {c['public_key']}, the commitments give {y}")
        if cv.key_fingerprint(y) != c["key_fingerprint"]:
            problems.append(f"the key fingerprint is not {c['key_fingerprint']}")
    report.check(
        "the key ceremony: fingerprint confirmed by every teller, poll key and its fingerprint",
        problems,
    )
    return entries


def check_ballot_proofs(cv: Any, bundle: dict, report: Report) -> list[Any]:
    key, checked, problems = _key(cv, bundle), [], []
    seen: dict[bytes, str] = {}
    for b in bundle["ballots"]:
        try:
            ballot = cv.check_ballot(key, b.get("cipher") or "", arith=ARITH)
        except cv.Invalid as exc:
            problems.append(f"{b['tracker']}: {exc}")
            continue
        if ballot.tracker != b["tracker"]:
            problems.append(f"{b['tracker']}: the tracker is not the hash of the ballot")
        for alpha in ballot.alphas:
            if alpha in seen:
                problems.append(f"{b['tracker']}: reuses an α of {seen[alpha]}")
            seen[alpha] = b["tracker"]
        checked.append(ballot)
    report.check(
        "every ballot's proofs verify; trackers are their hashes; all α distinct", problems
    )
    return checked


def check_decryption(
    cv: Any, bundle: dict, report: Report, ballots: list[Any], entries: dict[int, Any]
) -> Any:
    """The sums, every partial decryption and the counts; returns the counts (or None)."""
    enc, key = bundle["encryption"], _key(cv, bundle)
    c = enc["ceremony"]
    sums = cv.ballot_sums(enc["definition"], [b.ciphertexts for b in ballots], arith=ARITH)
    stored = enc.get("sums")
    got = json.loads(cv.sums_to_json(sums)) if sums is not None else None
    problems = [] if got == stored else ["the recorded sums are not the sums of the ballots"]
    report.check("the homomorphic sums are the sums of exactly these ballots", problems)
    if sums is None:
        counts = [[0] * k for k in enc["definition"]["questions"]]
        report.check("a box without ballots decrypts to zero without the tellers", [])
        return counts
    verified, problems = {}, []
    for d in enc.get("decryptions") or []:
        j = d["teller"]
        try:
            y_j = cv.public_share(entries, j, arith=ARITH)
            verified[j] = cv.check_partial(key, j, y_j, sums, d["shares"], arith=ARITH)
        except (cv.Invalid, KeyError, TypeError) as exc:
            problems.append(f"teller {j}: {exc}")
    report.check("every teller's partial decryption proof verifies", problems)
    if len(verified) < c["t"]:
        report.check(
            "t tellers decrypted the sums",
            [f"{len(verified)} verified partial decryptions, {c['t']} needed"],
        )
        return None
    results, problems = {}, []
    for subset in itertools.combinations(sorted(verified), c["t"]):
        try:
            results[subset] = cv.combine(
                sums, {j: verified[j] for j in subset}, len(ballots), arith=ARITH
            )
        except cv.Invalid as exc:
            problems.append(f"tellers {subset}: {exc}")
    if len({json.dumps(r) for r in results.values()}) > 1:
        problems.append("different sets of tellers decrypt to different counts")
    report.check("every set of t tellers decrypts the sums to the same counts", problems)
    return next(iter(results.values()), None) if not problems else None


def check_encrypted(bundle: dict, report: Report) -> Any:
    cv = _coopvote()
    if cv is None:
        report.check("coopvote.py is available", ["put coopvote.py next to verify_bundle.py"])
        return None
    entries = check_ceremony(cv, bundle, report)
    ballots = check_ballot_proofs(cv, bundle, report)
    return check_decryption(cv, bundle, report, ballots, entries)


def verify(bundle: dict) -> Report:
    report = Report()
    if bundle.get("format") != FORMAT or bundle.get("version") != VERSION:
        report.check("bundle format", [f"expected {FORMAT} version {VERSION}"])
        return report
    counts = check_encrypted(bundle, report) if bundle.get("encryption") else None
    recomputed = recompute_result(bundle, counts)
    check_roll(bundle, report)
    check_participations(bundle, report)
    check_counts(bundle, report, recomputed)
    check_box(bundle, report)
    check_root(bundle, report)
    check_result(bundle, report, recomputed)
    return report


def audit_file(path: str) -> int:
    """A voter's ballot check file (Benaloh): recompute the ballot from choice and randomness."""
    cv = _coopvote()
    if cv is None:
        print("put coopvote.py next to verify_bundle.py")
        return 2
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"cannot read the check file: {exc}")
        return 2
    try:
        ballot = cv.check_audit_file(data, arith=ARITH)
    except cv.Invalid as exc:
        print(f"[FAIL] {exc}")
        return 1
    key = cv.key_fingerprint(data["Y"])
    print(f"[ OK ] the ballot encrypts the stated choices {data['choices']}")
    print(f"[ OK ] its proofs verify and its tracker is {ballot.tracker}")
    print(f"Compare the key fingerprint with the invitation or the minutes: {cv.group4(key)}")
    return 0


def main(argv: list[str]) -> int:
    global ARITH
    argv = list(argv)
    if len(argv) >= 3 and argv[1] == "--arith":
        ARITH = argv[2]
        del argv[1:3]
        if ARITH not in ("nacl", "pure"):
            print("--arith takes nacl or pure")
            return 2
    if len(argv) == 3 and argv[1] == "audit":
        return audit_file(argv[2])
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    try:
        handle = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8")  # noqa: SIM115
        with handle:
            bundle = json.load(handle)
        poll = bundle["poll"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read the bundle: {exc}")
        return 2
    print(f"Poll {poll['id']}: {poll['title']} ({poll['kind']}, {bundle['rule']['majority']})")
    if bundle.get("encryption"):
        cv = _coopvote()
        name = cv.arith(ARITH).name if cv is not None else "none"
        print(f"Encrypted ballots (coopvote v1), arithmetic: {name}")
    try:
        report = verify(bundle)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        print(f"[FAIL] the bundle is incomplete or malformed: {exc!r}")
        return 1
    print("\n".join(report.lines))
    print(
        "RESULT: all checks passed"
        if not report.failed
        else f"RESULT: {report.failed} check(s) FAILED"
    )
    return 0 if not report.failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
