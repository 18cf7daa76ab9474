"""Sign-in, reset and account forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

MIN_PASSWORD = 8
TOO_LONG = _l("This is too long.")  # WTForms has no Vietnamese of its own


class LoginForm(FlaskForm):
    login = StringField(_l("Party-card number or phone"), validators=[
        DataRequired(_l("Please enter your Party-card number or phone.")),
        Length(max=64, message=TOO_LONG)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=256, message=TOO_LONG)])
    remember = BooleanField(_l("Keep me signed in on this phone"), default=True)


class SecondFactorForm(FlaskForm):
    # Six digits from the app, or a ten-digit backup code (spaces and dashes are fine).
    code = StringField(_l("6-digit code from your authenticator app"), validators=[
        DataRequired(_l("Please enter the code.")), Regexp(r"^[\s-]*(?:(?:\d[\s-]*){6}|(?:\d[\s-]*){10})$",
                                                            message=_l("The code has 6 digits."))])


class ForgotForm(FlaskForm):
    login = StringField(_l("Party-card number or phone"), validators=[
        DataRequired(_l("Please enter your Party-card number or phone.")),
        Length(max=64, message=TOO_LONG)])


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")),
        Length(min=MIN_PASSWORD, max=256, message=_l("A password needs at least 8 characters."))])
    confirm = PasswordField(_l("New password again"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same."))])


class ResetForm(NewPasswordMixin, FlaskForm):
    login = StringField(_l("Party-card number or phone"), validators=[
        DataRequired(_l("Please enter your Party-card number or phone.")),
        Length(max=64, message=TOO_LONG)])
    code = StringField(_l("One-time code from your secretary"), validators=[
        DataRequired(_l("Please enter the code.")), Length(max=32, message=TOO_LONG)])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=256, message=TOO_LONG)])


class EnableTotpForm(FlaskForm):
    code = SecondFactorForm.code


class PasswordAgainForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=256, message=TOO_LONG)])


class DisableTotpForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=256, message=TOO_LONG)])
