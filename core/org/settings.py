"""Settings set on an organisation and inherited by everything below it.

The core and each plugin declare their settings (`register_settings` hook): a key, a type, a
default, and the lowest level of the tree at which it may be set. The core renders and checks
the form (core/admin/settings.py), stores values in `org_setting`, and answers `setting(key,
org_id)` with the value of the organisation or its nearest ancestor, else the default. Values are
kept a few seconds per process (PROVINCE_CACHE_SECONDS), like enabled plugins and themes."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import time

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.org.models import Level, OrgClosure, OrgSetting

LEVELS = [level.value for level in Level]
TYPES = ("bool", "int", "str", "choice", "time")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH.]([0-5]\d)$")


@dataclass(frozen=True)
class Setting:
    """A declared setting. `key` is "<plugin>.<name>" ("core.<name>" for the core's); `level` is
    the lowest level where an administrator may set it ("province": the province alone;
    "grassroots": a province, district or grassroots organisation, for its whole subtree)."""

    key: str
    title: str  # or a lazy translation
    type: str = "str"
    default: object = None
    help: str = ""
    level: str = Level.PROVINCE.value
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for "choice"
    min: int | None = None
    max: int | None = None

    def __post_init__(self):
        if self.type not in TYPES or self.level not in LEVELS or "." not in self.key:
            raise ValueError(f"bad setting declaration {self.key!r}")

    @property
    def namespace(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    def settable_at(self, level: str) -> bool:
        """May it be set on an organisation of `level` (that level or a higher one)?"""
        return LEVELS.index(level) <= LEVELS.index(self.level)


class SettingError(ValueError):
    """A value a setting cannot take; the message is for the form."""


def parse(spec: Setting, raw: str):
    """The typed value of what was typed in the form for `spec`; SettingError if it cannot be."""
    from flask_babel import gettext as _

    text = (raw or "").strip()
    if spec.type == "bool":
        if text not in ("1", "0"):
            raise SettingError(_("Please choose yes or no."))
        return text == "1"
    if spec.type == "int":
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise SettingError(_("Please enter a whole number."))
        value = int(text)
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            raise SettingError(_("Please enter a number from %(low)s to %(high)s.",
                                 low=spec.min if spec.min is not None else "…",
                                 high=spec.max if spec.max is not None else "…"))
        return value
    if spec.type == "choice":
        if text not in {value for value, _label in spec.choices}:
            raise SettingError(_("Please choose one of the options."))
        return text
    if spec.type == "time":
        found = _TIME.match(text)
        if not found:
            raise SettingError(_("Please enter a time such as 07:30."))
        return f"{int(found.group(1)):02d}:{found.group(2)}"
    if len(text) > 500:
        raise SettingError(_("This is too long."))
    return text


def as_time(value: str) -> time:
    """A "time" setting's value as a `datetime.time`."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class SettingsHost:
    """The declared settings of the app and a short per-process cache of stored values."""

    def __init__(self, declared: list[Setting], seconds: int):
        self.declared = {spec.key: spec for spec in declared}
        self._lock = threading.Lock()
        self._cache: TTLCache | None = TTLCache(maxsize=4096, ttl=seconds) if seconds else None

    def stored(self, org_id: int) -> dict[str, tuple[object, int]]:
        """{key: (value, org it was set on)} for `org_id`, nearest organisation first: one query."""
        if self._cache is not None:
            with self._lock:
                found = self._cache.get(org_id)
            if found is not None:
                return found
        values: dict[str, tuple[object, int]] = {}
        rows = db.session.execute(
            select(OrgSetting.namespace, OrgSetting.key, OrgSetting.value, OrgSetting.org_id)
            .join(OrgClosure, OrgClosure.ancestor_id == OrgSetting.org_id)
            .where(OrgClosure.descendant_id == org_id).order_by(OrgClosure.depth.desc()))
        for namespace, key, value, where in rows:  # the nearest organisation is read last
            values[f"{namespace}.{key}"] = (value, where)
        if self._cache is not None:
            with self._lock:
                self._cache[org_id] = values
        return values

    def forget(self) -> None:
        if self._cache is not None:
            with self._lock:
                self._cache.clear()


def settings_host(app=None) -> SettingsHost:
    return (app or current_app).extensions["sotay.settings"]


def init_app(app) -> None:
    """Collect the declarations of the core and every loaded plugin (after the plugin host)."""
    from core.plugins import host

    declared = [spec for _plugin, group in host(app).each_plugin("register_settings") for spec in group]
    app.extensions["sotay.settings"] = SettingsHost(declared, app.config.get("PROVINCE_CACHE_SECONDS", 5))


def setting(key: str, org_id: int | None):
    """The value of declared setting `key` for `org_id`: set there or on the nearest level above,
    else the declaration's default (also when `org_id` is None)."""
    settings = settings_host()
    spec = settings.declared.get(key)
    if spec is None:
        raise LookupError(f"undeclared setting {key!r}")
    if org_id is None:
        return spec.default
    found = settings.stored(org_id).get(key)
    return spec.default if found is None else found[0]


def get_setting(org_id: int, namespace: str, key: str, default=None):
    """The value set on `org_id` or its nearest ancestor, else `default` (declared or not)."""
    found = settings_host().stored(org_id).get(f"{namespace}.{key}")
    return default if found is None or found[0] is None else found[0]


def set_setting(org_id: int, namespace: str, key: str, value) -> None:
    """Store a value on `org_id` (None removes it: the level above applies again); the caller
    commits. This process sees the change at once, the others within the cache's seconds."""
    row = db.session.get(OrgSetting, (org_id, namespace, key))
    if value is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(OrgSetting(org_id=org_id, namespace=namespace, key=key, value=value))
    else:
        row.value = value
    settings_host().forget()
