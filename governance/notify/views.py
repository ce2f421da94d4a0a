"""A user's notifications and their choice of optional mails."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from governance.accounts.models import Role
from governance.errors import DomainError
from governance.i18n import _
from governance.notify import services
from governance.notify.blueprint import bp
from governance.notify.forms import PreferencesForm
from governance.notify.models import KIND_LABELS, OPTIONAL, REQUIRED, TOPIC_LABELS, Topic
from governance.notify.provides import target
from governance.web import db, fail


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> Any:
    """The latest notifications; which optional mails the user gets."""
    prefs = services.preferences(db(), user_id=current_user.id)
    form = PreferencesForm()
    if request.method == "GET":
        for topic in OPTIONAL:
            getattr(form, topic.value.lower()).data = prefs[topic]
    if form.validate_on_submit():
        try:
            services.set_preferences(db(), user=current_user, choices=_shown(form.choices()))
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Your choice of mails is saved."), "success")
            return redirect(url_for("notify.settings"))
    return render_template(
        "notify/settings.html",
        form=form,
        shown=_shown(dict.fromkeys(OPTIONAL, True)),
        required=[TOPIC_LABELS[t] for t in REQUIRED],
        notifications=services.recent(db(), user=current_user, limit=30),
        KIND_LABELS=KIND_LABELS,
        target=target,
    )


def _shown(choices: dict[Topic, bool]) -> dict[Topic, bool]:
    """The board's topic only for the board."""
    if current_user.has_role(Role.BOARD):
        return choices
    return {t: v for t, v in choices.items() if t != Topic.BOARD_PROPOSALS}
