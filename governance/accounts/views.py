"""Login, magic links, password reset and change, language, user administration."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
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
from sqlalchemy import select, text

from governance.accounts import services
from governance.accounts.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    ConfirmForm,
    EmailForm,
    LoginForm,
    NewPasswordForm,
    UserForm,
    UserRolesForm,
)
from governance.accounts.models import Role, User
from governance.errors import DomainError
from governance.i18n import _
from governance.security import limiter, login_manager, role_required
from governance.web import db, fail, get_or_404, is_safe_next, queue_templated_mail

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(ident: str) -> User | None:
    """Load the user from the session; a changed security stamp logs them out."""
    user_id, _sep, stamp = ident.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active or str(user.security_stamp) != stamp:
        return None
    return user


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _failed(response: Any) -> bool:
    return bool(response.status_code == 200)


@bp.route("/")
@login_required
def index() -> Any:
    """Each role's start page."""
    return render_template("accounts/dashboard.html", roles=current_user.roles, Role=Role)


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Any:
    """Database status as JSON."""
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # the point is to report it, whatever it is
        return jsonify(status="error", database=type(exc).__name__), 503
    return jsonify(status="ok", database="ok")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> Any:
    """Log in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db(), email=form.email.data, password=form.password.data)
        if user is not None:
            services.note_login(db(), user=user, channel="password")
            login_user(user, remember=form.remember.data)
            nxt = request.args.get("next")
            return redirect(nxt if is_safe_next(nxt) else url_for("accounts.index"))
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
            link = url_for(endpoint, token=token, _external=True)
            queue_templated_mail(to=user.email, template=template, link=link, user=user)
        # Same answer whether or not the account exists: no account enumeration.
        flash(_("If an account exists for this address, we have sent an email."), "info")
        return redirect(url_for("accounts.login"))
    return render_template(f"accounts/request_{purpose}.html", form=form)


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def request_login_link() -> Any:
    """Ask for a one-click login link by email."""
    return _send_link(services.PURPOSE_LOGIN, "accounts/mail_login", "accounts.login_link")


@bp.route("/login/link/<token>", methods=["GET", "POST"])
def login_link(token: str) -> Any:
    """Confirm a one-click login (POST, so mail scanners cannot use the link up)."""
    form = ConfirmForm()
    max_age = current_app.config["MAGIC_LINK_MAX_AGE"]
    try:
        services.peek_token(
            current_app.secret_key, token=token, purpose=services.PURPOSE_LOGIN, max_age=max_age
        )
        if form.validate_on_submit():
            user = services.consume_token(
                db(),
                current_app.secret_key,
                token=token,
                purpose=services.PURPOSE_LOGIN,
                max_age=max_age,
            )
            services.note_login(db(), user=user, channel="magic-link")
            login_user(user)
            return redirect(url_for("accounts.index"))
    except DomainError as exc:
        fail(exc)
        return render_template("accounts/link_invalid.html"), 400
    return render_template("accounts/confirm_login.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def request_reset() -> Any:
    """Ask for a password reset link by email."""
    return _send_link(services.PURPOSE_RESET, "accounts/mail_reset", "accounts.reset_password")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Set a new password with a reset link."""
    form = NewPasswordForm()
    max_age = current_app.config["RESET_LINK_MAX_AGE"]
    try:
        services.peek_token(
            current_app.secret_key, token=token, purpose=services.PURPOSE_RESET, max_age=max_age
        )
        if form.validate_on_submit():
            user = services.consume_token(
                db(),
                current_app.secret_key,
                token=token,
                purpose=services.PURPOSE_RESET,
                max_age=max_age,
            )
            services.set_password(db(), user=user, password=form.password.data)
            flash(_("Your password has been changed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    except DomainError as exc:
        fail(exc)
        return render_template("accounts/link_invalid.html"), 400
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db(), user=current_user, current=form.current.data, new=form.password.data
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            login_user(current_user)  # the session id carries the new security stamp
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str) -> Any:
    """Switch the interface language."""
    form = ConfirmForm()
    if form.validate_on_submit() and code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db().add(current_user)
    nxt = request.form.get("next")
    return redirect(nxt if is_safe_next(nxt) else url_for("accounts.index"))


@bp.route("/admin/users")
@role_required(Role.ADMIN)
def admin_users() -> Any:
    """All users with their roles."""
    users = db().execute(select(User).order_by(User.email)).scalars().all()
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
            token = services.make_token(current_app.secret_key, user=user, purpose="login")
            link = url_for("accounts.login_link", token=token, _external=True)
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
        else {"roles": [r.value for r in user.roles], "active": user.active}
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
