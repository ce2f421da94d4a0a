"""Every user-facing string in code and templates has a German translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, gettext
from jinja2 import Environment

from governance.i18n import _page_translations, per_locale

ROOT = Path(__file__).resolve().parents[1]
METHODS = [
    ("governance/**.py", "python"),
    ("governance/templates/**.html", "jinja2"),
    ("governance/templates/**.txt", "jinja2"),
]
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}


def extracted_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message; the context is None but for pgettext."""
    ids: set[tuple[str | None, str]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        ids.add((context, message[0] if isinstance(message, tuple) else message))
    return ids


def test_every_message_has_a_german_translation():
    with open(ROOT / "governance/translations/de/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="de")
    translated = {
        (m.context, m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    missing = sorted(extracted_msgids() - translated, key=lambda m: (m[0] or "", m[1]))
    assert not missing, f"{len(missing)} messages without German translation, e.g. {missing[:10]}"


def test_german_is_the_default_and_switches_to_english(app, client):
    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    r = client.get("/login")
    assert 'lang="de"' in r.get_data(as_text=True)
    assert "Anmelden" in r.get_data(as_text=True)
    client.post("/lang/en")
    r = client.get("/login")
    assert 'lang="en"' in r.get_data(as_text=True)
    assert "Log in" in r.get_data(as_text=True)


def test_wtforms_messages_follow_the_language_and_load_once(app, client):
    """WTForms' own messages in the reader's language, its catalogue read once per language
    (not from disk on every request: issue #19)."""
    from governance.i18n import _wtforms_catalog

    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    _wtforms_catalog.cache_clear()
    for _ in range(3):
        r = client.post("/login", data={"email": "someone@example.org", "password": ""})
        assert "Dieses Feld wird benötigt." in r.get_data(as_text=True)
    client.post("/lang/en")
    r = client.post("/login", data={"email": "someone@example.org", "password": ""})
    assert "This field is required." in r.get_data(as_text=True)
    assert _wtforms_catalog.cache_info().misses == 2


def test_templates_follow_a_forced_locale_within_a_request(app):
    """The templates' gettext keeps the request's translations per locale: a mail rendered in
    the member's language (force_locale) inside a German request is English, and back."""
    page = '{{ _("Yes") }} {{ ngettext("%(num)d vote", "%(num)d votes", 2) }}'
    with app.test_request_context(), force_locale("de"):
        german = render_template_string(page)
        with force_locale("en"):
            assert render_template_string(page) == "Yes 2 votes"
        assert render_template_string(page) == german == "Ja 2 Abstimmungen"


def test_texts_kept_per_locale_follow_the_language(app):
    """per_locale: a page's fixed texts are built once per locale, each in its language."""
    built: list[str] = []

    @per_locale
    def labels() -> dict[str, str]:
        built.append("x")
        return {"yes": gettext("Yes")}

    with app.test_request_context():
        with force_locale("de"):
            assert labels() == {"yes": "Ja"} and labels() is labels()
        with force_locale("en"):
            assert labels() == {"yes": "Yes"}
        with force_locale("de"):
            assert labels() == {"yes": "Ja"}
    assert len(built) == 2


def test_template_gettext_gives_what_jinja_newstyle_gettext_gives(app):
    """The templates' one-call `_()` (issue #19) against Jinja's own newstyle gettext on the
    same catalogue: escaped variables, '%%', a template without autoescape, a text kept from
    the first page given again on the next."""
    page = (
        '{{ _("Save") }}|{{ _("100%% of %(who)s", who="<b>") }}|{{ gettext("Save") }}'
        '{% autoescape false %}|{{ _("a %(x)s", x="<i>") }}{% endautoescape %}'
    )
    with app.test_request_context(), force_locale("de"):
        reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
        reference.install_gettext_translations(_page_translations(), newstyle=True)  # type: ignore[attr-defined]
        expected = reference.from_string(page).render()
        assert expected == "Speichern|100% of &lt;b&gt;|Speichern|a <i>"
        assert render_template_string(page) == expected
        assert render_template_string(page) == expected  # from the kept texts
