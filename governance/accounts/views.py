"""Login, magic links, password reset and change, language, user administration."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import lazyload

from governance import jobs
from governance.accounts import hooks, services
from governance.accounts.blueprint import bp
from governance.accounts.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    ConfirmForm,
    EmailForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    UserForm,
    UserRolesForm,
)
from governance.accounts.models import (
    STORED_ROLES,
    Role,
    User,
    fill_seat_roles,
    sat_column,
    seat_role_columns,
    set_sat,
    set_seat_roles,
    set_stored_roles,
    stored_role_columns,
)
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.security import limiter, login_manager, role_required
from governance.web import (
    db,
    external_url,
    fail,
    get_or_404,
    queue_templated_mail,
    safe_next,
)


@login_manager.user_loader
def load_user(ident: str) -> User | None:
    """Load the user from the session; a changed security stamp logs them out."""
    user_id, _sep, stamp = ident.partition(":")
    if not user_id.isdigit():
        return None
    day = today()
    roles, query = _LOADER.get(day) or _loader_query(day)
    row = db().execute(query, {"p_user": int(user_id)}).one_or_none()
    if row is None:
        return None
    user, sat, *held = row
    if not user.active or str(user.security_stamp) != stamp:
        return None
    found = [role for role, h in zip(roles, held, strict=True) if h]
    set_stored_roles(user, [role for role in found if role in STORED_ROLES])
    set_seat_roles(user, [role for role in found if role not in STORED_ROLES])
    set_sat(user, sat)
    return user


# The loader's statement of the day, built once (every request runs it; issue #19).
_LOADER: dict[date, tuple[list[Role], Any]] = {}


def _loader_query(day: date) -> tuple[list[Role], Any]:
    """One query with the stored roles (instead of the relationship's second "selectin" query),
    whether the user ever sat in a body (the nav's link) and the roles that follow the seats of
    `day` (one EXISTS each, answered by the bodies)."""
    held = stored_role_columns() | seat_role_columns(day)
    query = (
        select(User, sat_column(), *held.values())
        .options(lazyload(User.role_rows))
        .where(User.id == bindparam("p_user"))
    )
    _LOADER.clear()  # yesterday's is done with
    _LOADER[day] = (list(held), query)
    return _LOADER[day]


def _account_key() -> str:
    # A limiter key function, not input handling: the form validates the same field later.
    return "account:" + (request.form.get("email") or "").strip().lower()


def _login_failed(response: Any) -> bool:
    """Only failed logins count (they re-render the form); a successful login redirects."""
    return bool(response.status_code == 200)


def _per_ip() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def _per_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


@bp.route("/")
@login_required
def index() -> Any:
    """Each role's start page, with the moment on top: a vote waiting, or the next assembly;
    and the latest notifications."""
    notifications = hooks.recent_notifications(db(), user=current_user, limit=8)
    moment = hooks.start_moment(
        db(),
        user=current_user,
        now=utcnow(),
        proposal_deadline_days=int(current_app.config.get("PROPOSAL_DEADLINE_DAYS", 10)),
    )
    return render_template(
        "accounts/dashboard.html",
        roles=current_user.roles,
        Role=Role,
        notifications=notifications,
        moment=moment,
        my_bodies=hooks.my_bodies(db(), user=current_user, day=today()),
    )


def _cannot_serve() -> Any | None:
    """The 503 answer when the database is unreachable or its schema outdated; else None."""
    try:
        db().execute(text("SELECT 1"))
        guard = current_app.extensions.get("governance.schema")
        schema_ok = guard is None or guard.check()
    except Exception as exc:  # the point is to report it, whatever it is
        return jsonify(status="error", database=type(exc).__name__), 503
    if not schema_ok:
        return jsonify(
            status="error", database="ok", schema="outdated", run="governance db upgrade"
        ), 503
    return None


@bp.route("/readyz")
@limiter.exempt
def readyz() -> Any:
    """Whether this server can serve: the database answers and its schema is current (503
    otherwise), in one statement: the probe a load balancer sends every few seconds."""
    refused = _cannot_serve()
    return refused if refused is not None else jsonify(status="ok", database="ok")


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Any:
    """Database and schema status as JSON (503 when the app cannot serve), and the background
    jobs: their backlog, what is stuck, when each worker last ran ("degraded" names problems)."""
    refused = _cannot_serve()
    if refused is not None:
        return refused
    guard = current_app.extensions.get("governance.schema")
    report = jobs.health(db())
    problems = jobs.problems(report)
    return jsonify(
        status="degraded" if problems else "ok",
        database="ok",
        schema="ok" if guard else "unchecked",
        jobs=report,
        problems=problems,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_ip, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"], deduct_when=_login_failed)
def login() -> Any:
    """Log in with email and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db(), email=form.email.data, password=form.password.data)
        if user is not None:
            services.note_login(db(), user=user, channel="password")
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.index"))
        # One message for unknown accounts, wrong passwords and inactive accounts alike.
        flash(_("Email or password is wrong."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out."""
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


def _send_link(purpose: str, template: str, endpoint: str) -> Any:
    form = EmailForm()
    if form.validate_on_submit():
        user = services.user_by_email(db(), form.email.data)
        if user is not None and user.active:
            token = services.make_token(current_app.secret_key, user=user, purpose=purpose)
            link = external_url(endpoint, token=token)
            queue_templated_mail(to=user.email, template=template, link=link, user=user)
        # Same answer whether or not the account exists: no account enumeration.
        flash(_("If an account exists for this address, we have sent an email."), "info")
        return redirect(url_for("accounts.login"))
    return render_template(f"accounts/request_{purpose}.html", form=form)


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit(_per_ip, methods=["POST"])
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"])
def request_login_link() -> Any:
    """Ask for a one-click login link by email."""
    return _send_link(services.PURPOSE_LOGIN, "accounts/mail_login", "accounts.login_link")


def _token_user(token: str, purpose: str, *, consume: bool) -> User:
    check = services.consume_token if consume else services.check_token
    max_age = current_app.config[
        {
            services.PURPOSE_LOGIN: "MAGIC_LINK_MAX_AGE",
            services.PURPOSE_INVITE: "INVITATION_LINK_MAX_AGE",
        }.get(purpose, "RESET_LINK_MAX_AGE")
    ]
    return check(db(), current_app.secret_key, token=token, purpose=purpose, max_age=max_age)


def _link_invalid(error: DomainError) -> Any:
    return render_template("accounts/link_invalid.html", message=error.message), 400


@bp.route("/login/link/<token>", methods=["GET", "POST"])
def login_link(token: str) -> Any:
    """Confirm a one-click login (POST, so mail scanners cannot use the link up)."""
    return _confirm_login(token, services.PURPOSE_LOGIN)


@bp.route("/login/invitation/<token>", methods=["GET", "POST"])
def invitation_link(token: str) -> Any:
    """Confirm the one-click login of an assembly invitation (longer-lived, single-use)."""
    return _confirm_login(token, services.PURPOSE_INVITE)


def _confirm_login(token: str, purpose: str) -> Any:
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            _token_user(token, purpose, consume=False)
            return render_template("accounts/confirm_login.html", form=form)
        user = _token_user(token, purpose, consume=True)
    except DomainError as exc:
        return _link_invalid(exc)
    services.note_login(db(), user=user, channel="magic-link")
    login_user(user)
    return redirect(url_for("accounts.index"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(_per_ip, methods=["POST"])
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"])
def request_reset() -> Any:
    """Ask for a password reset link by email."""
    return _send_link(services.PURPOSE_RESET, "accounts/mail_reset", "accounts.reset_password")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Set a new password with a reset link."""
    form = NewPasswordForm()
    try:
        if not form.validate_on_submit():
            _token_user(token, services.PURPOSE_RESET, consume=False)
            return render_template("accounts/reset_password.html", form=form)
        user = _token_user(token, services.PURPOSE_RESET, consume=True)
        services.set_password(db(), user=user, password=form.password.data, via="reset")
    except DomainError as exc:
        return _link_invalid(exc)
    flash(_("Your password has been changed. Please log in."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change (or set a first) password; the user's other sessions end."""
    user = current_user._get_current_object()
    form = ChangePasswordForm() if user.password_hash else NewPasswordForm()
    if form.validate_on_submit():
        current = form.current.data if "current" in form else None
        try:
            services.change_password(db(), user=user, current=current, new=form.password.data)
        except DomainError as exc:
            fail(exc, form)
        else:
            login_user(user)  # this session carries the new security stamp; others do not
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str) -> Any:
    """Switch the interface language (remembered in the account when logged in)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = code
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            user.locale = code
            db().add(user)
    return redirect(safe_next(form.next.data) or url_for("accounts.index"))


@bp.route("/admin/users")
@role_required(Role.ADMIN)
def admin_users() -> Any:
    """All users with their roles."""
    users = db().execute(select(User).order_by(User.email)).scalars().all()
    fill_seat_roles(db(), users)
    return render_template("admin/users.html", users=users, labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user_new() -> Any:
    """Create a user and send them a login link."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db(),
                email=form.email.data,
                display_name=form.display_name.data,
                roles=[Role(r) for r in form.roles.data],
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            token = services.make_token(
                current_app.secret_key, user=user, purpose=services.PURPOSE_LOGIN
            )
            link = external_url("accounts.login_link", token=token)
            queue_templated_mail(
                to=user.email, template="accounts/mail_welcome", link=link, user=user
            )
            flash(_("User created; a login link was sent."), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user_edit(user_id: int) -> Any:
    """Change a user's roles and whether the account is active."""
    user = get_or_404(User, user_id)
    form = UserRolesForm(
        data=None
        if request.method == "POST"
        else {"roles": [r.value for r in user.stored_roles], "active": user.active}
    )
    if form.validate_on_submit():
        try:
            services.set_roles(
                db(), user=user, roles=[Role(r) for r in form.roles.data], actor=current_user
            )
            services.set_active(db(), user=user, active=form.active.data, actor=current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("admin/user_form.html", form=form, user=user)
