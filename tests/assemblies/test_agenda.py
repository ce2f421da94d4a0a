"""The agenda: numbering with sub-items, reordering, editing rules, Markdown, attachments."""

from __future__ import annotations

import pytest

from governance import uploads
from governance.assemblies import agenda, attachments
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import ItemKind
from governance.errors import DomainError
from governance.markup import render_markdown
from tests.assemblies.conftest import message


def _numbers(session, assembly_id):
    return [(e.number, e.item.title) for e in agenda.agenda(session, assembly_id=assembly_id)]


def test_numbering_reordering_and_deleting(session, make_assembly):
    assembly = session.get(Assembly, make_assembly(items=()).id)
    a = agenda.add_item(session, assembly=assembly, title="A")
    b = agenda.add_item(session, assembly=assembly, title="B", kind=ItemKind.RESOLUTION)
    b1 = agenda.add_item(session, assembly=assembly, title="B1", parent_id=b.id)
    b2 = agenda.add_item(session, assembly=assembly, title="B2", parent_id=b.id)
    c = agenda.add_item(session, assembly=assembly, title="C")
    assert _numbers(session, assembly.id) == [
        ("1", "A"),
        ("2", "B"),
        ("2.1", "B1"),
        ("2.2", "B2"),
        ("3", "C"),
    ]
    with pytest.raises(DomainError) as err:
        agenda.add_item(session, assembly=assembly, title="x", parent_id=b1.id)
    assert "Sub-items cannot have sub-items" in message(err)

    agenda.move_item(session, item=b, assembly=assembly, up=True, actor=None)
    agenda.move_item(session, item=b2, assembly=assembly, up=True, actor=None)
    agenda.move_item(session, item=c, assembly=assembly, up=False, actor=None)  # last: stays
    assert _numbers(session, assembly.id) == [
        ("1", "B"),
        ("1.1", "B2"),
        ("1.2", "B1"),
        ("2", "A"),
        ("3", "C"),
    ]
    agenda.delete_item(session, item=a, assembly=assembly, actor=None)
    assert _numbers(session, assembly.id) == [("1", "B"), ("1.1", "B2"), ("1.2", "B1"), ("2", "C")]
    agenda.delete_item(session, item=b, assembly=assembly, actor=None)  # with its sub-items
    session.expire_all()
    assert _numbers(session, assembly.id) == [("1", "C")]


def test_announced_items_keep_their_wording(session, make_assembly):
    made = make_assembly(state=AssemblyState.CONVENED)
    assembly = session.get(Assembly, made.id)
    item = session.get(type(made.items[0]), made.items[0].id)
    agenda.update_item(
        session,
        item=item,
        assembly=assembly,
        title=item.title,
        description=item.description,
        kind=ItemKind.DISCUSSION,
    )
    with pytest.raises(DomainError) as err:
        agenda.update_item(
            session, item=item, assembly=assembly, title="Neu", description="", kind=item.kind
        )
    assert "announced" in message(err)
    with pytest.raises(DomainError):
        agenda.delete_item(session, item=item, assembly=assembly, actor=None)


def test_no_agenda_changes_once_in_session(session, make_assembly):
    assembly = session.get(Assembly, make_assembly(state=AssemblyState.IN_SESSION, members=[]).id)
    with pytest.raises(DomainError) as err:
        agenda.add_item(session, assembly=assembly, title="Spontan")
    assert "before the assembly opens" in message(err)


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "**fett** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://e.org)"
        '\n\n<img src=x onerror="alert(1)"><p style="color:red" onclick="x()">p</p>'
    )
    assert "<strong>fett</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html and "style=" not in html
    assert '<a href="https://e.org" rel="noopener noreferrer nofollow">ok</a>' in html


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("a.exe", b"MZ", "Allowed file types"),
        ("a.pdf", b"<html>", "does not match"),
        ("a.txt", b"\x00\x01", "does not match"),
        ("a.pdf", b"", "empty"),
        ("a.pdf", b"%PDF-" + b"x" * 2000, "larger than"),
    ],
)
def test_attachment_type_and_size_are_checked(name, data, error, app):
    with pytest.raises(DomainError) as err:
        uploads.check_file(name, data, max_bytes=1000)
    assert error in message(err)


def test_attachment_is_stored(session, make_assembly, tmp_path):
    made = make_assembly()
    item = session.get(type(made.items[0]), made.items[0].id)
    att = attachments.add_attachment(
        session,
        item=item,
        filename="../../Bericht 2024.pdf",
        data=b"%PDF-1.7 test",
        upload_dir=str(tmp_path),
        max_bytes=1000,
        actor=None,
    )
    assert att.filename == "Bericht 2024.pdf" and att.content_type == "application/pdf"
    path = attachments.storage_path(str(tmp_path), att.stored_name)
    assert path.read_bytes() == b"%PDF-1.7 test"
    assert path.parent == tmp_path / "agenda"
