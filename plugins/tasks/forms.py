"""The tasks plugin's forms; every text refuses empty and oversized input in Vietnamese."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.api import Boxes, Radio, at_most, written
from plugins.tasks.access import MAX_TEXT
from plugins.tasks.models import TO_BRANCH, TO_BRANCHES, TO_MEMBERS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
BAD_DATE = _l("Please enter a date such as 25/12/2026.")
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H.%M", "%Hh"]
BAD_TIME = _l("Please enter a time such as 19:30.")


MODE_LABELS = {TO_MEMBERS: _l("Chosen members"), TO_BRANCH: _l("Every member of the branch"),
               TO_BRANCHES: _l("Every branch below (each branch secretary passes it on)")}
REPEAT_LABELS = [("none", _l("Does not repeat")), ("monthly", _l("Every month")),
                 ("quarterly", _l("Every quarter")), ("yearly", _l("Every year"))]


class TaskForm(FlaskForm):
    title = StringField(_l("Title of the task"), validators=[
        written(_l("Please write the title of the task.")),
        Length(max=300, message=_l("The title is at most 300 characters."))])
    description = TextAreaField(_l("What is to be done"), validators=[at_most(MAX_TEXT)])
    method = TextAreaField(_l("How it is to be done (optional)"), validators=[at_most(MAX_TEXT)])
    due_on = DateField(_l("Deadline"), [InputRequired(_l("Please choose the deadline."))], format=DATE_FORMATS,
                       invalid_value_message=BAD_DATE)
    due_time = TimeField(_l("By what time (optional)"), [Optional()], format=TIME_FORMATS,
                         invalid_value_message=BAD_TIME)
    mode = Radio(_l("Given to"), message=_l("Please choose who the task is given to."), default=TO_MEMBERS)
    members = Boxes(_l("Members"), coerce=int, choices=[], message=_l("Please choose members of the list."),
                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    repeat = Radio(_l("Repeat"), choices=REPEAT_LABELS, default="none")
    attachments = MultipleFileField(_l("Files for the task (optional)"))
    idempotency_key = HiddenField()


class PassOnForm(FlaskForm):
    members = Boxes(_l("Members who do it"), coerce=int, choices=[],
                    message=_l("Please choose members of the list."), widget=ListWidget(prefix_label=False),
                    option_widget=CheckboxInput())


def _percent(form, field):
    text = (field.data or "").strip().rstrip("%").strip()
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise ValidationError(_l("Please write how much is done, a number from 0 to 100."))
    field.number = int(text)


class ReportForm(FlaskForm):
    percent = StringField(_l("How much is done (%)"), validators=[_percent])
    text = TextAreaField(_l("What was done"), validators=[written(_l("Please write what was done.")), at_most(MAX_TEXT)])
    photo = FileField(_l("A photo or file of the work (optional)"))
    idempotency_key = HiddenField()


class ExtensionForm(FlaskForm):
    due_on = DateField(_l("New deadline asked for"), [InputRequired(_l("Please choose the new deadline."))],
                       format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    reason = TextAreaField(_l("Why more time is needed"),
                           validators=[written(_l("Please write why more time is needed.")), at_most(MAX_TEXT)])
    idempotency_key = HiddenField()


class DecisionForm(FlaskForm):
    decision = Radio(_l("Your answer"), message=_l("Please choose an answer."))
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), at_most(MAX_TEXT)])


class EntryForm(FlaskForm):
    title = StringField(_l("What"), validators=[written(_l("Please write what it is.")),
                                                Length(max=300, message=_l("At most 300 characters."))])
    day = DateField(_l("Day"), [InputRequired(_l("Please choose the day."))], format=DATE_FORMATS,
                    invalid_value_message=BAD_DATE)
    hour = TimeField(_l("Time (optional)"), [Optional()], format=TIME_FORMATS, invalid_value_message=BAD_TIME)
    place = StringField(_l("Place (optional)"), validators=[Length(max=300, message=_l("At most 300 characters."))])
    idempotency_key = HiddenField()
