"""German by default, English on request; times shown in Europe/Berlin.

Everything a person reads passes through here: enum values and audit event types as words
(`|label`, `|event`), numbers, percentages and times in the reader's locale (`|num`, `|pct`,
`|dt`, `|d`; times without seconds), and names sorted as in a German phone book (`name_key`).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel import support
from babel.numbers import format_percent as babel_percent
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    ngettext,  # noqa: F401
)
from flask_babel import gettext as _  # noqa: F401  (re-exported for views and forms)
from flask_babel import lazy_gettext as _l  # noqa: F401
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms.i18n import messages_path

from governance.event_labels import EVENT_LABELS, OBJECT_LABELS

babel = Babel()


def select_locale() -> str:
    """The user's choice (session, then account), else the configured default.

    Outside a request (CLI commands, the mail worker) the configured default applies.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return str(user_locale)
    if request.args.get("lang") in languages:
        return str(request.args["lang"])
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def local_tz() -> ZoneInfo:
    """The cooperative's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today() -> date:
    """Today in the cooperative's time zone."""
    return datetime.now(local_tz()).date()


_ENUM_LABELS: dict[tuple[type[enum.Enum], str], Any] = {}


def register_labels(*mappings: Mapping[Any, Any]) -> None:
    """Declare the words for enum values (the domains' label tables), read by `enum_label`;
    keys that are not enum members are ignored."""
    for mapping in mappings:
        for member, text in mapping.items():
            if isinstance(member, enum.Enum):
                _ENUM_LABELS[(type(member), member.name)] = text


def enum_label(value: enum.Enum | None) -> str:
    """The translated word for an enum value; its raw value only if none was registered
    (tests/test_german.py fails on that)."""
    if value is None:
        return ""
    text = _ENUM_LABELS.get((type(value), value.name))
    return str(text) if text is not None else str(value.value)


def value_label(enum_name: str, value: Any) -> str | None:
    """The word for a raw value (as stored in an audit payload) of the enum named `enum_name`;
    None if the value is not one of that enum's."""
    for (cls, name), text in _ENUM_LABELS.items():
        if cls.__name__ == enum_name and value in (name, getattr(cls[name], "value", None)):
            return str(text)
    return None


def event_label(event_type: str) -> str:
    """An audit event type as words ("online teilgenommen" for attendance.online_joined); an
    unknown type as it is (tests/test_german.py fails on every one the code records)."""
    text = EVENT_LABELS.get(event_type)
    return str(text) if text is not None else event_type


def object_label(object_type: str | None) -> str:
    """The kind of object an audit event is about, as a word ("Mitglied" for member)."""
    text = OBJECT_LABELS.get(object_type or "")
    return str(text) if text is not None else object_type or ""


def name_key(name: str | None) -> tuple[str, str, str]:
    """Sort key for names as DIN 5007-1 (dictionaries, phone books): ä as a, ö as o, ü as u,
    ß as ss, accents and case ignored; the plain spelling before the marked one."""
    text = (name or "").casefold()
    base = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return base, (name or "").lower(), name or ""


def format_number(value: int | float | Decimal | None) -> str:
    """A number in the reader's locale (1.234,5 in German)."""
    return "" if value is None else format_decimal(value)


def format_share(value: float | Decimal | None) -> str:
    """A fraction as a percentage with at most one decimal ("1,7 %")."""
    if value is None:
        return ""
    rounded = round(float(value), 3)
    return babel_percent(rounded, locale=get_locale(), decimal_quantization=False)


def format_moment(value: datetime | None, width: str = "medium") -> str:
    """Date and time in the reader's locale and the cooperative's zone, without seconds."""
    if not value:
        return ""
    locale = get_locale()
    if locale is None:  # no app: the worker's log
        return value.isoformat(timespec="minutes")
    time = re.sub(r"[:.]ss(\.S+)?", "", locale.time_formats[width].pattern)
    pattern = locale.datetime_formats[width].replace("{0}", time)
    return format_datetime(value, pattern.replace("{1}", locale.date_formats[width].pattern))


def lazy_date(value: date) -> LazyString:
    """A date for a lazily translated message (`_l(..., day=lazy_date(d))`): formatted in the
    reader's locale when the message is shown, as the message itself."""
    return LazyString(_date_or_iso, value)


def _date_or_iso(value: date) -> str:
    return format_date(value) if has_app_context() else value.isoformat()


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WtformsTranslations:
    """WTForms' own messages ("This field is required.") in the reader's language.

    Flask-WTF loads WTForms' catalogue from disk on every request that builds a form (0.6 ms
    of a cast's 7 ms, issue #19) unless the request already holds one: each request gets this
    object, which asks for the locale only when a message is read and keeps one catalogue
    per language for the life of the process.
    """

    def ugettext(self, string: str) -> str:
        return str(_wtforms_catalog(str(get_locale())).ugettext(string))

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return str(_wtforms_catalog(str(get_locale())).ungettext(singular, plural, n))


WTFORMS_TRANSLATIONS = WtformsTranslations()


def _page_translations() -> support.NullTranslations:
    """Flask-Babel's translations for the request's locale (a forced one, too: mails in the
    member's language), kept on the request's Babel context per locale."""
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # the locale is not chosen yet: Flask-Babel chooses it
        return get_translations()
    kept = getattr(ctx, "governance_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    ctx.governance_translations = (locale, translations)
    return translations


@pass_context
def template_gettext(context: Context, string: str, **variables: Any) -> str:
    """The templates' `_()` and `gettext()`: what Jinja's newstyle gettext gives (the text in
    the request's language, Markup where the template escapes, always %-formatted with the
    variables), in one call instead of three layers of Jinja calls. A text without variables is
    formatted once per catalogue and escaping mode and kept on the catalogue (a page has dozens,
    issue #19)."""
    translations = _page_translations()
    autoescape = context.eval_ctx.autoescape
    if variables:
        return _template_text(translations.ugettext(string), autoescape) % variables
    memo: dict[tuple[bool, str], str] = translations.__dict__.setdefault("_governance_memo", {})
    found = memo.get((autoescape, string))
    if found is None:
        found = _template_text(translations.ugettext(string), autoescape) % {}
        memo[(autoescape, string)] = found
    return found


def _template_text(text: str, autoescape: bool) -> str:
    """A translated text as Jinja's newstyle gettext takes it: Markup where the template
    escapes (the catalogue is ours, as Jinja trusts it; the variables get escaped by %)."""
    return Markup(text) if autoescape else text  # noqa: S704


T = TypeVar("T")


def per_locale(build: Callable[[], T]) -> Callable[[], T]:
    """`build()` once per locale and process: a page's fixed texts for its script (the same for
    every request in a language) are translated once, not on every request (the live page
    sends about forty, issue #19). Callers must not change what they get."""
    kept: dict[str, T] = {}

    @wraps(build)
    def cached() -> T:
        locale = str(get_locale())
        found = kept.get(locale)
        if found is None:
            found = kept[locale] = build()
        return found

    return cached


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the translations shipped in the package."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    # The templates' gettext (a page calls it dozens of times): the request's translations
    # are looked up once per locale, not through Flask-Babel's layers on every call.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = template_gettext

    @app.before_request
    def _wtforms_translations() -> None:
        request.wtforms_translations = WTFORMS_TRANSLATIONS  # type: ignore[attr-defined]

    app.add_template_filter(format_moment, "dt")
    app.add_template_filter(format_number, "num")
    app.add_template_filter(format_share, "pct")
    app.add_template_filter(enum_label, "label")
    app.add_template_filter(event_label, "event")
    app.add_template_filter(object_label, "object")

    @app.template_filter("d")
    def _d(value: date | None, fmt: str = "medium") -> str:
        return format_date(value, fmt) if value else ""

    @app.context_processor
    def _locale_ctx() -> dict[str, Any]:
        return {"current_locale": str(get_locale() or "de")}
