"""Forms for adding, editing, transferring members and changing their status."""
from __future__ import annotations

import unicodedata
from calendar import monthrange
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.auth.accounts import normalise_login
from core.fields import Choice, Radio
from core.localtime import today_local
from core.org.models import MemberKind, MemberStatus

STATUS_LABELS = {
    MemberStatus.ACTIVE.value: _l("Active"),
    MemberStatus.EXEMPT.value: _l("Exempt from activities"),
    MemberStatus.DECEASED.value: _l("Deceased"),
    MemberStatus.REMOVED.value: _l("Removed from the rolls"),
    MemberStatus.EXPELLED.value: _l("Expelled"),
}
KIND_LABELS = {
    MemberKind.OFFICIAL.value: _l("Official member"),
    MemberKind.PROBATIONARY.value: _l("Probationary member"),
}
# Status actions a secretary can take, by the event each records.
ACTION_LABELS = {
    "official": _l("Recognise as an official member"),
    "exempt": _l("Exempt from activities"),
    "reinstated": _l("Back to regular activities"),
    "deceased": _l("Deceased"),
    "removed": _l("Remove from the rolls (xóa tên)"),
    "expelled": _l("Expel (khai trừ)"),
}
EVENT_LABELS = {
    "admitted": _l("Admitted to the Party"),
    "official": _l("Became an official member"),
    "transfer": _l("Transferred"),
    "exempt": _l("Exempted from activities"),
    "reinstated": _l("Back to regular activities"),
    "deceased": _l("Deceased"),
    "removed": _l("Removed from the rolls"),
    "expelled": _l("Expelled"),
}
# Notes the import writes on the events it records (kept as plain words in the database, which
# the undo looks for): shown in the member's language.
NOTE_LABELS = {"import": _l("From the imported member list"), "undo import": _l("Import undone")}
GENDERS = [("", _l("Not given")), ("nam", _l("Male")), ("nữ", _l("Female"))]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and what people type without it
BAD_DATE = _l("Please enter a date such as 19/05/1990.")


TOO_LONG = _l("This is too long.")


def _date(label, required=False):
    checks = [InputRequired(_l("Please enter the date."))] if required else [Optional()]
    return DateField(label, checks, format=DATE_FORMATS, invalid_value_message=BAD_DATE)


def _not_future(field) -> bool:
    if field.data and field.data > today_local(None):
        field.errors.append(_l("This date is in the future."))
        return False
    return True


def _digits(field, message) -> bool:
    """Normalise what was typed (spaces, dots, +84) and keep only digits."""
    field.data = normalise_login(field.data or "") or None
    if field.data and not field.data.isdigit():
        field.errors.append(message)
        return False
    return True


PROBATION_MONTHS = 12  # the Party Charter's probation, from admission to official membership


def probation_ends(admitted: date) -> date:
    """The first day a member admitted on `admitted` may become official (12 months on; the
    29th-31st of a shorter month fall to its last day)."""
    month = admitted.month - 1 + PROBATION_MONTHS
    year, month = admitted.year + month // 12, month % 12 + 1
    return date(year, month, min(admitted.day, monthrange(year, month)[1]))


class MemberForm(FlaskForm):
    """A member's record; the branch is chosen only when adding (moving is a transfer)."""

    # Sent again after a dropped answer, an addition or an edit is carried out once (core/web.py).
    idempotency_key = HiddenField()
    full_name = StringField(_l("Full name"), [DataRequired(_l("Please enter the full name.")),
                                              Length(max=255, message=TOO_LONG)])
    card_number = StringField(_l("Party-card number"), [Optional(), Length(max=32, message=TOO_LONG)])
    phone = StringField(_l("Phone"), [Optional(), Length(max=32, message=TOO_LONG)])
    birth_date = _date(_l("Date of birth"))
    gender = Choice(_l("Gender"), choices=GENDERS, default="")
    kind = Radio(_l("Membership"), choices=list(KIND_LABELS.items()),
                      default=MemberKind.OFFICIAL.value)
    admission_date = _date(_l("Date of admission"), required=True)
    official_date = _date(_l("Date of becoming official"))
    notes = TextAreaField(_l("Notes"), [Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.full_name.data = unicodedata.normalize("NFC", " ".join((self.full_name.data or "").split()))
        ok &= _digits(self.card_number, _l("A Party-card number has digits only."))
        ok &= _digits(self.phone, _l("A phone number has digits only."))
        for field in (self.birth_date, self.admission_date, self.official_date):
            ok &= _not_future(field)
        born, admitted, official = self.birth_date.data, self.admission_date.data, self.official_date.data
        if born and admitted and admitted <= born:
            self.admission_date.errors.append(_l("The date of admission must be after the date of birth."))
            ok = False
        if self.kind.data == MemberKind.OFFICIAL.value:
            if not self.card_number.data:
                self.card_number.errors.append(_l("An official member needs a Party-card number."))
                ok = False
            if not official:
                self.official_date.errors.append(_l("Please enter the date of becoming official."))
                ok = False
        elif official:
            self.official_date.errors.append(_l("A probationary member has no official date yet."))
            ok = False
        if admitted and official and official < admitted:
            self.official_date.errors.append(_l("The official date cannot be before the date of admission."))
            ok = False
        elif admitted and official and official < probation_ends(admitted):
            # Party Charter, article 5: a probation of twelve months from admission.
            self.official_date.errors.append(_l(
                "The probation lasts 12 months: the official date is %(date)s or later.",
                date=probation_ends(admitted).strftime("%d/%m/%Y")))
            ok = False
        return bool(ok)


class AddMemberForm(MemberForm):
    org_id = Choice(_l("Branch"), coerce=int)


class DatedChangeForm(FlaskForm):
    """A change that happens on a date (of a decision or an event), with a note."""

    on_date = _date(_l("Date (of the decision or event)"), required=True)
    note = TextAreaField(_l("Note (decision number, reason)"), [Optional()])
    idempotency_key = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        return bool(super().validate(extra_validators) & _not_future(self.on_date))


class TransferForm(DatedChangeForm):
    to_org = Radio(_l("New branch"), coerce=int,
                   validators=[DataRequired(_l("Please choose the branch."))])
    on_date = _date(_l("Date of the transfer"), required=True)


class StatusForm(DatedChangeForm):
    action = Radio(_l("Change"), validators=[DataRequired(_l("Please choose what changes."))])


class CodeForm(FlaskForm):
    """Only the CSRF token: giving a code is one button."""
