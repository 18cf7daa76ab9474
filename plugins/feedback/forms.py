"""The feedback plugin's forms; every text field refuses empty and oversized text in Vietnamese."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from core.api import Choice, Radio, at_most, written
from plugins.feedback.access import MAX_TEXT


class SendForm(FlaskForm):
    kind = Radio(_l("What do you send?"), message=_l("Please choose question or opinion."),
                 choices=[("question", _l("A question")), ("opinion", _l("An opinion or proposal"))],
                 default="question")
    topic = StringField(_l("Topic"), validators=[written(_l("Please write the topic.")),
                                                 Length(max=200, message=_l("The topic is at most 200 characters."))])
    text = TextAreaField(_l("Your question or opinion"),
                         validators=[written(_l("Please write your question or opinion.")), at_most(MAX_TEXT)])
    attachment = FileField(_l("A photo or file (optional)"))
    show_name = BooleanField(_l("My name may be shown to the levels above my branch"))
    idempotency_key = HiddenField()


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Answer"), validators=[written(_l("Please write the answer.")), at_most(MAX_TEXT)])


class ForwardForm(FlaskForm):
    target = Choice(_l("Pass it up to"), message=_l("Please choose the level above to pass it to."), coerce=int)
    note = TextAreaField(_l("Note for the level above"), validators=[at_most(MAX_TEXT)])


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your reply"), validators=[written(_l("Please write your reply.")), at_most(MAX_TEXT)])


class CloseForm(FlaskForm):
    note = TextAreaField(_l("Why it is closed (optional)"), validators=[at_most(MAX_TEXT)])


class PublishForm(FlaskForm):
    topic = StringField(_l("Topic"), validators=[written(_l("Please write the topic.")),
                                                 Length(max=200, message=_l("The topic is at most 200 characters."))])
    question_text = TextAreaField(_l("Question, without the asker's name"),
                                  validators=[written(_l("Please write the question.")), at_most(MAX_TEXT)])
    answer_text = TextAreaField(_l("Answer"), validators=[written(_l("Please write the answer.")), at_most(MAX_TEXT)])
    idempotency_key = HiddenField()
