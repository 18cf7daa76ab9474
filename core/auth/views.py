"""Sign in and out, forgotten passwords, the member's own account page, the staff second factor."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core.audit import audit
from core.auth import devices, throttle
from core.auth import second_factor as factor
from core.auth.accounts import find_member, find_user, open_request, redeem_code
from core.auth.device_names import device_rows
from core.auth.forms import (ChangePasswordForm, DisableTotpForm, EnableTotpForm, ForgotForm, LoginForm,
                             PasswordAgainForm, ResetForm, SecondFactorForm)
from core.auth.passwords import hash_password, verify_password
from core.auth.sessions import end_all_sessions, end_session, live_sessions, start_session
from core.events import UserLoggedIn, emit
from core.extensions import db
from core.kept import kept_fields, review_page, typed_fields
from core.plugins import current_province_id
from core.security import cookie_secure, rotate_csrf, safe_next
from core.web import render

bp = Blueprint("auth", __name__)
bp.before_app_request(factor.guard)


def _next(default: str | None) -> str | None:
    return safe_next(request.values.get("next"), default)


def _wait_message(wait: int) -> str:
    return _("Too many wrong attempts. Please wait %(minutes)s minute(s) and try again, "
             "or ask your secretary for a code.", minutes=max(1, (wait + 59) // 60))


def _kept():
    """The values of the form a sign-in interrupted (each shown on the page, never sent unseen)."""
    return typed_fields(kept_fields(request.form))


def _signed_in(user, kept: list):
    """After the last step of signing in: tell plugins, then go on (or let the member review
    the form the sign-in interrupted and send it again)."""
    emit(UserLoggedIn(current_province_id(), user.id, user.id))
    home = url_for("home.index")
    if kept:
        return review_page(kept, _next(home), status=200)
    return redirect(_next(home))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a Party-card number (or phone) and password."""
    if current_user.is_authenticated:
        return redirect(_next(url_for("home.index")))
    form, kept = LoginForm(), _kept()
    if form.validate_on_submit():
        user = find_user(form.login.data)
        attempt = throttle.login_attempt(form.login.data, user)
        wait = throttle.wait(attempt)
        if wait:
            form.login.errors.append(_wait_message(wait))
            return render("auth/login.html", form=form, kept=kept, status=429)
        # Always verify (against a dummy hash for unknown logins), so timing reveals nothing.
        right = verify_password(user.password_hash if user else None, form.password.data)
        if not right or not user.is_enabled:
            throttle.failed(attempt)
            audit("login.failed", str(user.id) if user else None, user_id=user.id if user else None)
            db.session.commit()
            form.password.errors.append(_("Wrong card number/phone or password."))
            return render("auth/login.html", form=form, kept=kept, status=401)
        throttle.succeeded(attempt)
        devices.remember(user)
        row = start_session(user, bool(form.remember.data))
        row.second_factor_done = not user.totp_secret
        audit("login", str(user.id), user_id=user.id)
        db.session.commit()
        login_user(user)
        rotate_csrf()
        if user.totp_secret:
            if kept:
                return render("auth/second_factor.html", form=SecondFactorForm(formdata=None),
                              kept=kept, next=_next(None), private=True)
            return redirect(url_for("auth.second_factor", next=_next(None)))
        return _signed_in(user, kept)
    return render("auth/login.html", form=form, kept=kept, status=400 if form.errors else 200)


@bp.route("/login/code", methods=["GET", "POST"])
@login_required
def second_factor():
    """Staff who linked an authenticator app type its current code to finish signing in."""
    if not factor.code_pending():
        return redirect(_next(url_for("home.index")))
    form, kept = SecondFactorForm(), _kept()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        key = f"totp:{current_user.id}"
        wait = throttle.paused(key)
        if wait:
            form.code.errors.append(_wait_message(wait))
            status = 429
        elif _code_or_backup(form.code.data):
            factor.session_row().second_factor_done = True
            throttle.clear(key)
            audit("login.second_factor", str(current_user.id))
            db.session.commit()
            return _signed_in(current_user, kept)
        else:
            config = current_app.config
            throttle.strike(key, config["LOGIN_ACCOUNT_FAILURES"], config["LOGIN_ACCOUNT_PAUSE_SECONDS"])
            audit("login.second_factor_failed", str(current_user.id))
            db.session.commit()
            form.code.errors.append(_("That code is not right. Check the time on your phone."))
            status = 401
    return render("auth/second_factor.html", form=form, kept=kept, next=_next(None),
                  status=status, private=True)


def _code_or_backup(code: str) -> bool:
    """The app's code (again only from the device that used it), or an unused backup code."""
    if not factor.is_backup_code(code):
        return factor.code_ok(current_user.totp_secret, code, current_user,
                              devices.vouching_for(current_user))
    if not factor.use_backup_code(current_user, code):
        return False
    audit("login.backup_code", str(current_user.id))
    flash(_("You signed in with a backup code; it will not work again. Backup codes left: %(n)s.",
            n=factor.backup_codes_left(current_user)), "success")
    return True


@bp.post("/logout")
def logout():
    """Sign out: the session ends on the server too."""
    if current_user.is_authenticated:
        end_session(current_user.session_token)
        audit("logout", str(current_user.id))
        db.session.commit()
        logout_user()
    session.clear()
    response = redirect(url_for("auth.login"))
    # A shared phone keeps nothing of the member: no cache, no storage, no cookies.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Ask the branch secretary for a one-time code (first sign-in or forgotten password)."""
    form = ForgotForm()
    if form.validate_on_submit():
        # Every request counts the same, per address and per typed number, whoever the number
        # is (or is not): the answer, the status and the work tell no one who is a member.
        config, window = current_app.config, current_app.config["FORGOT_WINDOW_SECONDS"]
        waits = [throttle.count(f"forgot-addr:{throttle.address()}", config["FORGOT_ADDRESS_REQUESTS"], window),
                 throttle.count(f"forgot:{throttle.typed_key(form.login.data)}",
                                config["FORGOT_LOGIN_REQUESTS"], window)]
        open_request(find_member(form.login.data) if not any(waits) else None)
        db.session.commit()
        if any(waits):
            return render("auth/forgot.html", form=form, status=429, too_many=True)
        return redirect(url_for("auth.forgot_sent"))
    return render("auth/forgot.html", form=form, status=400 if form.errors else 200)


@bp.get("/forgot/sent")
def forgot_sent():
    """Tell the member what happens next."""
    return render("auth/forgot_sent.html")


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    """Set a new password with the one-time code the secretary gave."""
    form = ResetForm()
    if form.validate_on_submit():
        redeemed = redeem_code(form.login.data, form.code.data, form.password.data)
        user = redeemed.user
        if user is None:
            audit("password.reset_failed")
            db.session.commit()
            if redeemed.wait:
                form.code.errors.append(_("Too many wrong codes from here. Please wait %(minutes)s "
                                          "minute(s) and try again.",
                                          minutes=max(1, (redeemed.wait + 59) // 60)))
                return render("auth/reset.html", form=form, status=429)
            form.code.errors.append(_("This code is not valid or has expired. "
                                      "Ask your secretary for a new one."))
            return render("auth/reset.html", form=form, status=400)
        audit("password.reset", str(user.id), user_id=user.id)
        devices.remember(user)
        row = start_session(user, remember=True)
        row.second_factor_done = not user.totp_secret
        db.session.commit()
        login_user(user)
        rotate_csrf()
        flash(_("Your new password is saved. Welcome!"), "success")
        return redirect(url_for("home.index"))
    return render("auth/reset.html", form=form, status=400 if form.errors else 200)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The member's own account: change password, see signed-in devices."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current.data):
            current_user.password_hash = hash_password(form.password.data)
            end_all_sessions(current_user.id, keep=current_user.session_token)
            audit("password.changed", str(current_user.id))
            db.session.commit()
        elif not verify_password(current_user.password_hash, form.password.data):
            form.current.errors.append(_("The current password is not right."))
        # else: a retry of a change already made (the answer was lost on the way): done.
        if not form.errors:
            flash(_("Password changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return render("auth/account.html", form=form,
                  devices=device_rows(live_sessions(current_user.id), current_user.session_token),
                  staff=factor.is_staff(current_user), status=400 if form.errors else 200,
                  private=True)


@bp.post("/account/sessions/end")
@login_required
def end_other_sessions():
    """Sign out every other device (a lost or shared phone)."""
    end_all_sessions(current_user.id, keep=current_user.session_token)
    audit("sessions.ended", str(current_user.id))
    db.session.commit()
    flash(_("All other devices have been signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/authenticator", methods=["GET", "POST"])
@login_required
def authenticator():
    """Administrators and secretaries link an authenticator app as a second factor."""
    if not factor.is_staff(current_user):
        return redirect(url_for("auth.account"))
    if current_user.totp_secret:
        return _enabled_page(DisableTotpForm(formdata=None))
    secret = factor.pending_secret(current_user)
    form = EnableTotpForm()
    if form.validate_on_submit():
        if factor.code_ok(secret, form.code.data):
            current_user.totp_secret = secret
            factor.session_row().second_factor_done = True
            codes = factor.new_backup_codes(current_user)
            audit("second_factor.enabled", str(current_user.id))
            db.session.commit()
            flash(_("Second factor is on: sign-ins will ask for a code."), "success")
            return _codes_page(codes)
        form.code.errors.append(_("That code is not right. Check the time on your phone."))
    uri = factor.provisioning_uri(current_user, secret)
    return render("auth/authenticator.html", enabled=False, form=form, key=factor.grouped(secret),
                  secret=secret, uri=uri, qr=_qr_svg(uri), required=factor.required(current_user),
                  status=400 if form.errors else 200, private=True)


def _enabled_page(form, codes_form=None, status=200):
    return render("auth/authenticator.html", enabled=True, form=form,
                  codes_form=codes_form or PasswordAgainForm(formdata=None),
                  left=factor.backup_codes_left(current_user), status=status, private=True)


def _codes_page(codes: list[str]):
    """The backup codes, shown this once (the page is not stored: no-store)."""
    return render("auth/backup_codes.html", codes=codes, next=_next(url_for("auth.account")),
                  private=True)


@bp.post("/account/authenticator/backup-codes")
@login_required
def backup_codes():
    """Ten new backup codes (the old ones stop working); the password is asked again."""
    if not current_user.totp_secret:
        return redirect(url_for("auth.authenticator"))
    form = PasswordAgainForm()
    if form.validate_on_submit() and verify_password(current_user.password_hash, form.current.data):
        codes = factor.new_backup_codes(current_user)
        audit("second_factor.backup_codes", str(current_user.id))
        db.session.commit()
        return _codes_page(codes)
    if not form.current.errors:
        form.current.errors.append(_("The current password is not right."))
    return _enabled_page(DisableTotpForm(formdata=None), codes_form=form, status=400)


@bp.post("/account/authenticator/off")
@login_required
def authenticator_off():
    """Turn the second factor off (the password is asked again), e.g. before changing phones."""
    form = DisableTotpForm()
    if not current_user.totp_secret:
        return redirect(url_for("auth.account"))
    if form.validate_on_submit() and verify_password(current_user.password_hash, form.current.data):
        factor.clear(current_user)
        audit("second_factor.disabled", str(current_user.id))
        db.session.commit()
        flash(_("Second factor is off."), "success")
        return redirect(url_for("auth.account"))
    if not form.current.errors:
        form.current.errors.append(_("The current password is not right."))
    return _enabled_page(form, status=400)


def _qr_svg(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4)


@bp.get("/display")
def display():
    """Switch large text or high contrast; kept in a cookie, works without JavaScript."""
    response = redirect(_next(url_for("home.index")))
    for name in ("large", "contrast"):
        if name in request.args:
            value = "1" if request.args.get(name) == "1" else ""
            response.set_cookie(name, value, max_age=31536000 if value else 0, samesite="Lax",
                                httponly=True, secure=cookie_secure())
    return response
