"""Forms for publishing news, documents, announcements and useful-life pages, and their labels."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.content.models import Kind
from core.content.service import DRAFT, LATER, NOW, secret_message
from core.fields import Choice, Radio
from core.localtime import local_to_utc, reader_province, today_local
from core.org.models import utcnow

KIND_TITLES = {
    Kind.NEWS.value: _l("News"),
    Kind.DOCUMENT.value: _l("Document"),
    Kind.ANNOUNCEMENT.value: _l("Announcement"),
    Kind.PAGE.value: _l("Useful-life page"),
}
KIND_HINTS = {
    Kind.NEWS.value: _l("The work of the Party committees, for every member below them"),
    Kind.DOCUMENT.value: _l("Resolutions, regulations, directives, conclusions, guidance, monthly "
                            "material"),
    Kind.ANNOUNCEMENT.value: _l("Meetings, deadlines and notices for the members"),
    Kind.PAGE.value: _l("Health, culture, new rural development"),
}
LEVEL_TITLES = {"central": _l("Central"), "province": _l("Province"), "local": _l("Local")}
DOCUMENT_CATEGORIES = {
    "resolution": _l("Resolution"),
    "regulation": _l("Regulation"),
    "directive": _l("Directive"),
    "conclusion": _l("Conclusion"),
    "guidance": _l("Guidance"),
    "monthly_material": _l("Monthly branch-meeting material"),
    "thematic_study": _l("Monthly thematic study"),
}
LIFE_CATEGORIES = {"health": _l("Health"), "culture": _l("Culture"),
                   "rural": _l("New rural development")}
STATE_TITLES = {"draft": _l("Draft"), "scheduled": _l("Scheduled"), "published": _l("Published"),
                "archived": _l("Withdrawn")}
SECRECY = [("normal", _l("Ordinary (not classified)")), ("secret", _l("Secret (Mật)")),
           ("top_secret", _l("Top secret (Tối mật)")), ("absolute", _l("Absolute secret (Tuyệt mật)"))]
WHEN = [(NOW, _l("Publish now")), (LATER, _l("Publish at a set time")),
        (DRAFT, _l("Save as a draft (not published)"))]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and what people type without it
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H.%M", "%Hh"]


class OrgChoice(Choice):
    """The publishing organisation: the view checks it lies in the user's scope (404 if not),
    so an organisation not listed (one chosen through ?org=) is accepted here."""

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(self.message)


def _date(label):
    return DateField(label, [Optional()], format=DATE_FORMATS,
                     invalid_value_message=_l("Please enter a date such as 05/12/2025."))


class ItemForm(FlaskForm):
    """News and announcements; the other kinds add their fields."""

    idempotency_key = HiddenField()
    org_id = OrgChoice(_l("Publishing organisation"), coerce=int,
                       message=_l("Please choose the publishing organisation."))
    title = StringField(_l("Title"), [DataRequired(_l("Please enter a title.")),
                                      Length(max=500, message=_l("A title has at most 500 characters."))])
    summary = TextAreaField(_l("Summary"), [Optional()])
    body = TextAreaField(_l("Text"), [Optional()])
    files = MultipleFileField(_l("Attachments"))
    when = Radio(_l("Publishing"), choices=WHEN, default=NOW)
    publish_date = _date(_l("Day to publish"))
    publish_time = TimeField(_l("Time to publish"), [Optional()], format=TIME_FORMATS,
                             invalid_value_message=_l("Please enter a time such as 19:30."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.when and self.when.data == LATER:
            if not self.publish_date.data or not self.publish_time.data:
                if not self.publish_date.errors and not self.publish_time.errors:
                    self.publish_date.errors.append(_l("Please enter the day and time to publish."))
                return False
            if self.publish_at() <= utcnow():
                self.publish_date.errors.append(
                    _l("This time has already passed: choose a later time, or publish now."))
                return False
        return ok

    def publish_at(self):
        """The chosen time (the province's wall clock) as naive UTC, when publishing later."""
        if self.when and self.when.data == LATER and self.publish_date.data and self.publish_time.data:
            return local_to_utc(datetime.combine(self.publish_date.data, self.publish_time.data),
                                reader_province())
        return None


class DocumentForm(ItemForm):
    number = StringField(_l("Number"), [Optional(), Length(max=64, message=_l(
        "A number has at most 64 characters."))])
    issuer = StringField(_l("Issued by"), [Optional(), Length(max=255, message=_l(
        "This has at most 255 characters."))])
    issued_on = _date(_l("Date of issue"))
    level = Choice(_l("Issuing level"), choices=list(LEVEL_TITLES.items()),
                   message=_l("Please choose the issuing level."))
    category = Choice(_l("Type of document"), choices=list(DOCUMENT_CATEGORIES.items()),
                      message=_l("Please choose the type of document."))
    secrecy = Radio(_l("Classification"), choices=SECRECY, default="normal")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.issued_on.data and self.issued_on.data > today_local(reader_province()):
            self.issued_on.errors.append(_l("The date of issue cannot be in the future."))
            ok = False
        if self.secrecy.data != "normal" and not self.secrecy.errors:
            self.secrecy.errors.append(secret_message())
            ok = False
        return ok


class PageForm(ItemForm):
    category = Choice(_l("Section"), choices=list(LIFE_CATEGORIES.items()),
                      message=_l("Please choose the section."))


FORMS = {Kind.NEWS: ItemForm, Kind.ANNOUNCEMENT: ItemForm, Kind.DOCUMENT: DocumentForm,
         Kind.PAGE: PageForm}


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token (withdraw, re-publish, remove a file)."""
