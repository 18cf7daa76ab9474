"""The quizzes plugin's forms: every refusal in Vietnamese, nothing typed lost."""
from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from core.api import Boxes, Choice, Radio, at_most, written
from plugins.quizzes.models import LIST, MEMBERS, MULTIPLE, SECRETARIES, SHOW_AFTER_CLOSE, SHOW_AFTER_SUBMIT, SINGLE

MAX_TEXT = 5000
OPTION_SLOTS = 6
LETTERS = "ABCDEFGH"
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
BAD_DATE = _l("Please enter a date such as 05/12/2026.")
BAD_TIME = _l("Please enter a time such as 07:30.")
BAD_NUMBER = _l("Please enter a whole number.")


class QuestionForm(FlaskForm):
    org_id = Choice(_l("Question bank of"), coerce=int)
    topic = StringField(_l("Topic"), [written(_l("Please write the topic.")), at_most(200)])
    difficulty = Radio(_l("Difficulty"), coerce=int, default=1,
                       choices=[(1, _l("Easy")), (2, _l("Medium")), (3, _l("Hard"))])
    kind = Radio(_l("Kind of question"), default=SINGLE,
                 choices=[(SINGLE, _l("One right answer")), (MULTIPLE, _l("Several right answers"))])
    text = TextAreaField(_l("Question"), [written(_l("Please write the question.")), at_most(MAX_TEXT)])
    option_1 = StringField(_l("Answer A"), [at_most(1000)])
    option_2 = StringField(_l("Answer B"), [at_most(1000)])
    option_3 = StringField(_l("Answer C"), [at_most(1000)])
    option_4 = StringField(_l("Answer D"), [at_most(1000)])
    option_5 = StringField(_l("Answer E"), [at_most(1000)])
    option_6 = StringField(_l("Answer F"), [at_most(1000)])
    correct = Boxes(_l("Right answer(s)"), coerce=int, message=_l("Please tick the right answer(s)."),
                    choices=[(n, LETTERS[n]) for n in range(OPTION_SLOTS)])
    explanation = TextAreaField(_l("Explanation shown after the contest"), [at_most(MAX_TEXT)])
    source = StringField(_l("Source (document, article)"), [at_most(500)])
    practice = BooleanField(_l("Members may practise on this question"), default=True)
    idempotency_key = HiddenField()

    def option_fields(self):
        return [getattr(self, f"option_{n + 1}") for n in range(OPTION_SLOTS)]

    def validate_correct(self, field):
        filled = [n for n, f in enumerate(self.option_fields()) if (f.data or "").strip()]
        if len(filled) < 2:
            raise ValidationError(_l("Please write at least two answers."))
        if filled != list(range(len(filled))):
            raise ValidationError(_l("Please write the answers in order, without a gap."))
        if not field.data:
            raise ValidationError(_l("Please tick the right answer(s)."))
        if any(n not in filled for n in field.data):
            raise ValidationError(_l("A right answer you ticked has no text."))
        if self.kind.data == SINGLE and len(field.data) != 1:
            raise ValidationError(_l("A question with one right answer needs exactly one ticked."))

    def options(self) -> list[str]:
        return [f.data.strip() for f in self.option_fields() if (f.data or "").strip()]


LEVELS = ((1, "easy", _l("Easy")), (2, "medium", _l("Medium")), (3, "hard", _l("Hard")))
MAX_TOPICS = 100


def _cell(label):
    return IntegerField(label, [Optional(), NumberRange(0, 200, _l("Between 0 and 200 questions."))],
                        invalid_value_message=BAD_NUMBER)


class DrawRow(Form):
    """One topic of the draw table: how many questions of each difficulty (empty: none)."""

    topic = HiddenField()
    easy = _cell(_l("Easy"))
    medium = _cell(_l("Medium"))
    hard = _cell(_l("Hard"))

    def cells(self):
        return [(level, getattr(self, name)) for level, name, _label in LEVELS]


class ContestForm(FlaskForm):
    org_id = Choice(_l("Organised by"), coerce=int)
    title = StringField(_l("Name of the contest"), [written(_l("Please write the name of the contest.")),
                                                   at_most(300)])
    intro = TextAreaField(_l("Rules and guidance for contestants"), [at_most(MAX_TEXT)])
    takers = Radio(_l("Who takes part"), default=SECRETARIES,
                   choices=[(SECRETARIES, _l("The branch secretaries under this organisation")),
                            (MEMBERS, _l("Every party member under this organisation")),
                            (LIST, _l("The people I choose by name"))])
    find = StringField(_l("Find a member by name"), [at_most(100)])
    people = Boxes(_l("Contestants chosen"), coerce=int,
                   message=_l("Please choose only people found under the organising organisation."))
    opens_on = DateField(_l("Opens on"), [InputRequired(BAD_DATE)], format=DATE_FORMATS,
                         invalid_value_message=BAD_DATE)
    opens_time = TimeField(_l("at"), [InputRequired(BAD_TIME)], default=time(7, 30), format=["%H:%M", "%Hh%M"],
                           invalid_value_message=BAD_TIME)
    closes_on = DateField(_l("Closes on"), [InputRequired(BAD_DATE)], format=DATE_FORMATS,
                          invalid_value_message=BAD_DATE)
    closes_time = TimeField(_l("at"), [InputRequired(BAD_TIME)], default=time(21, 0),
                            format=["%H:%M", "%Hh%M"], invalid_value_message=BAD_TIME)
    minutes = IntegerField(_l("Minutes for each attempt"), [InputRequired(BAD_NUMBER), NumberRange(
        1, 300, _l("Between 1 and 300 minutes."))], default=30, invalid_value_message=BAD_NUMBER)
    question_count = IntegerField(_l("Questions drawn for each contestant"), [InputRequired(BAD_NUMBER), NumberRange(
        1, 200, _l("Between 1 and 200 questions."))], default=20, invalid_value_message=BAD_NUMBER)
    topic = Choice(_l("Draw from the topic"), default="")
    draws = FieldList(FormField(DrawRow), max_entries=MAX_TOPICS)
    shuffle = BooleanField(_l("Shuffle the questions and the answers for each contestant"), default=True)
    attempts_allowed = IntegerField(_l("Attempts allowed"), [InputRequired(BAD_NUMBER), NumberRange(
        1, 10, _l("Between 1 and 10 attempts."))], default=1, invalid_value_message=BAD_NUMBER)
    show_results = Radio(_l("Scores and explanations are shown"), default=SHOW_AFTER_SUBMIT,
                         choices=[(SHOW_AFTER_SUBMIT, _l("As soon as the contestant hands in")),
                                  (SHOW_AFTER_CLOSE, _l("Once the contest has closed"))])
    idempotency_key = HiddenField()


class StartForm(FlaskForm):
    layout = Radio(_l("How do you want to answer?"), default="one",
                   choices=[("one", _l("One question per page")), ("all", _l("All questions on one page"))])
