"""The choice fields of every form, the core's and the plugins': options given as (value, label)
pairs (stored as WTForms' `SelectChoice`, the shape WTForms 3.4 requires), and a value outside
them — or not even a number where one is expected — refused with a message in the user's
language (WTForms' own has no Vietnamese).

    kind = Radio(_l("Membership"), choices=[("official", _l("Official")), ...])
    form.org_id.choices = [(org.id, org.name) for org in orgs]   # set by the view: converted too
    if form.org_id.data in offered(form.org_id): ...

and the two checks every typed text of a plugin form needs, with its own words:

    text = TextAreaField(_l("Answer"), validators=[written(_l("Please write the answer.")), at_most(20_000)])"""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

CHOOSE = _l("Please choose from the list.")


def written(message):
    """A validator refusing text that is empty or only spaces, with `message`."""
    def check(form, field):
        if not (field.data or "").strip():
            raise ValidationError(message)
    return check


def at_most(limit: int):
    """A validator refusing text longer than `limit` characters, saying the limit."""
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(gettext("The text is too long: at most %(n)s characters.", n=f"{limit:,}"))
    return check


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs (or SelectChoice) as the SelectChoice list WTForms wants."""
    return [pair if isinstance(pair, SelectChoice) else SelectChoice(*pair) for pair in pairs]


def offered(field) -> list:
    """The values a choice field offers, in order."""
    return [choice.value for choice in options(field.choices or ())]


class _Offered:
    """What every choice field here shares: pairs converted, the user's-language message."""

    def __init__(self, label=None, validators=None, choices=None, message=CHOOSE, **kwargs):
        kwargs.setdefault("validate_choice", False)  # pre_validate below says it in Vietnamese
        if choices is not None and not callable(choices):
            choices = options(choices)
        super().__init__(label, validators, choices=choices, **kwargs)
        self.message = message

    @property
    def choices(self):
        found = SelectField.choices.fget(self)  # a callable's result too (roles of the plugins)
        return None if found is None else options(found)

    @choices.setter
    def choices(self, value):
        SelectField.choices.fset(self, value if value is None or callable(value) else options(value))

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # not even a number: the same "choose" message
            self.data = None

    def pre_validate(self, form):
        if self.data not in offered(self):
            raise ValidationError(self.message)


class Choice(_Offered, SelectField):
    """A drop-down list."""


class Radio(_Offered, RadioField):
    """One of a few options, each a row with its round button."""


class Boxes(_Offered, SelectMultipleField):
    """Boxes to tick: every ticked value must be offered."""

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(value) for value in valuelist]
        except (ValueError, TypeError):
            self.data = None

    def pre_validate(self, form):
        values = offered(self)
        if self.data is None or any(value not in values for value in self.data):
            raise ValidationError(self.message)
