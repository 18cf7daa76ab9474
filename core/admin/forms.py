"""Forms of the administration pages: organisations, roles, features and theme."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from core.fields import Choice

NAME_MAX = 255


def choice_field(label, message, choices=None):
    """A required choice whose messages (none chosen, one not offered) are `message`."""
    return Choice(label, [InputRequired(message)], choices=choices, message=message)


class OrgNameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Please enter the organisation's name.")),
        Length(max=NAME_MAX, message=_l("A name has at most 255 characters."))])


class ChildForm(OrgNameForm):
    """A new organisation under the one on the page; `level` choices are set by the view."""

    level = choice_field(_l("Kind of organisation"), _l("Please choose the kind of organisation."))


class MoveForm(FlaskForm):
    parent_id = StringField(_l("New place"), validators=[
        InputRequired(_l("Please choose where the organisation goes.")),
        Regexp(r"^\d{1,18}$", message=_l("Please choose where the organisation goes."))])


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (merge, revoke)."""


def every_role() -> list[tuple[str, str]]:
    """Every declared role, labelled (the view narrows them to what the organisation takes)."""
    from core.org.scope import declared_roles

    return [(role.name, str(role.title)) for role in declared_roles().values()]


class GrantForm(FlaskForm):
    """Appoint someone at `org_id` to a role: the core's or an enabled plugin's (choices set by
    the view)."""

    org_id = HiddenField(validators=[InputRequired()])
    login = StringField(_l("Party-card number or phone of the person"), validators=[
        DataRequired(_l("Please enter a Party-card number or phone.")),
        Length(max=64, message=_l("This is too long."))])
    role = choice_field(_l("Role"), _l("Please choose a role."), choices=every_role)


class ToggleForm(FlaskForm):
    plugin = HiddenField(validators=[InputRequired()])
    enabled = HiddenField(validators=[InputRequired()])


class ThemeForm(FlaskForm):
    """The province's look; `theme` choices are the installed themes."""

    theme = choice_field(_l("Theme"), _l("Please choose a theme."))
