"""What a member typed, kept across an interruption (a CSRF failure, signing in again, the second
factor), and never sent again on one click.

A failed post from another site (its Origin, else its Referer, names another host) keeps
nothing: a plain page says the form did not come from the handbook and nothing was saved. A
failure on our own pages (a page left open for hours, a sign-in in another tab) shows every
kept value with its label — typed text editable, everything else (hidden fields, choices, ids)
as text the member can read — and sending again needs the box "I have checked this and want to
send it" ticked, which the server checks (`check_reviewed`), not only the browser."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectFieldBase
from wtforms.fields.core import UnboundField

from core.fields import options
from core.web import render

# Fields never written back into a page: passwords, one-time codes, tokens.
SECRET_FIELDS = ("password", "confirm", "current", "code", "totp", "secret", "token")
NOT_TYPED = (BooleanField, HiddenField, RadioField, SelectFieldBase)
KEEP = "keep:"  # prefix of fields carried through a sign-in
REVIEW = "_kept"  # a post sent from the review page carries this ...
REVIEWED = "_reviewed"  # ... and must carry this box ticked
OWN_FIELDS = ("csrf_token", REVIEW, REVIEWED)
# Names of hidden fields many forms carry, in words (any other shows its own name).
KNOWN_LABELS = {"idempotency_key": _l("Form number (so it is saved only once)"),
                "org_id": _l("Organisation number")}


@dataclass(frozen=True)
class TypedField:
    """One posted field as the review page shows it."""

    name: str
    value: str
    label: str
    kind: str  # "text", "long" (typed, editable), "hidden" (shown read-only), "secret" or "file"
    shown: str = ""  # how a read-only value reads: a choice's own words, else the value

    @property
    def text(self) -> str:
        return self.shown or self.value


def from_elsewhere() -> bool:
    """Did this post come from a page of another site? (Neither header sent: take it as ours.)
    Hosts are compared, not schemes, so a proxy that hides TLS does not make our own pages
    foreign."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    if source == "null":  # sandboxed frames, data: pages, no-referrer pages of other sites
        return True
    return (urlsplit(source).netloc or "").lower() != request.host.lower()


def foreign_page():
    """A post forged by another site: nothing kept, nothing offered, nothing saved."""
    return render("errors/foreign.html", status=400, private=True)


def review_page(fields: list[TypedField], action: str, status: int = 400, unconfirmed: bool = False):
    """Every kept value on view, the typed ones editable; sent again only with the box ticked."""
    return render("errors/csrf.html", fields=fields, prefix="", sign_in=None, action=action,
                  unconfirmed=unconfirmed, status=status, private=True)


def sign_in_page(fields: list[TypedField], status: int):
    """Signed out meanwhile: sign in on this page; the kept values (shown) ride along and are
    reviewed once more after the sign-in."""
    from core.auth.forms import LoginForm

    kept = [f for f in fields if f.kind not in ("secret", "file")]
    return render("errors/csrf.html", fields=kept, prefix=KEEP, sign_in=LoginForm(formdata=None),
                  action=url_for("auth.login", next=here()), unconfirmed=False, status=status,
                  private=True)


def check_reviewed():
    """Before every request: a post from the review page without its box ticked is shown again
    (nothing reaches the view)."""
    if request.method == "POST" and request.form.get(REVIEW) and request.form.get(REVIEWED) != "1":
        return review_page(posted_fields(), here(), unconfirmed=True)
    return None


def here() -> str:
    return request.full_path.rstrip("?")


def posted_fields() -> list[TypedField]:
    return typed_fields(list(request.form.items(multi=True)), list(request.files))


def kept_fields(form) -> list[tuple[str, str]]:
    """The (name, value) pairs a sign-in form carries for the page it interrupted."""
    return [(k[len(KEEP):], v) for k, v in form.items(multi=True)
            if k.startswith(KEEP) and k[len(KEEP):] not in OWN_FIELDS]


def typed_fields(pairs: list[tuple[str, str]], files: list[str] = ()) -> list[TypedField]:
    """Describe posted fields with the labels of the form they most likely came from."""
    pairs = [(name, value) for name, value in pairs if name not in OWN_FIELDS]
    names = {name for name, _value in pairs} | set(files)
    fields = _best_form_fields(names)
    typed = []
    for name, value in pairs:
        unbound = fields.get(name)
        label = str(_label(unbound) or KNOWN_LABELS.get(name) or name)
        cls = unbound.field_class if unbound else None
        if _is_secret(name, cls):
            kind = "secret"
        elif cls is None or issubclass(cls, NOT_TYPED):
            kind = "hidden"
        else:
            kind = "long" if len(value) > 80 or "\n" in value else "text"
        if kind != "secret" or all(t.name != name for t in typed):
            typed.append(TypedField(name, "" if kind == "secret" else value, label, kind,
                                    _choice_text(unbound, value) if kind == "hidden" else ""))
    for name in files:
        typed.append(TypedField(name, "", str(_label(fields.get(name)) or name), "file"))
    return typed


def _is_secret(name: str, cls) -> bool:
    lowered = name.lower()
    return any(s in lowered for s in SECRET_FIELDS) or bool(cls and issubclass(cls, PasswordField))


def _label(unbound: UnboundField | None):
    if unbound is None:
        return None
    return unbound.args[0] if unbound.args else unbound.kwargs.get("label")


def _choice_text(unbound: UnboundField | None, value: str) -> str:
    """The words of a fixed choice ("Administrator" for "admin"), with the value it sends."""
    choices = unbound.kwargs.get("choices") if unbound is not None else None
    if callable(choices):  # choices declared at run time (the roles of the loaded plugins)
        choices = choices()
    if isinstance(choices, (list, tuple)):
        for choice in options(choices):
            if str(choice.value) == value:
                return f"{choice.label} ({value})"
    return ""


def _best_form_fields(names: set[str]) -> dict[str, UnboundField]:
    """The fields of the loaded form class sharing the most names with the post; between forms
    sharing as many (a plugin's minutes form and another with the same two fields), the one with
    the fewest fields the post lacks."""
    best, score = {}, (0, 0)
    stack = list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        fields = {n: getattr(cls, n) for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
        common = len(names & fields.keys())
        fit = (common, -len(fields.keys() - names))
        if common and fit > score:
            best, score = fields, fit
    return best
