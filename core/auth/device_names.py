"""Readable names for signed-in devices, from the browser's User-Agent, by ua-parser (a
maintained parser; its rules ship in ua-parser-builtins): "Samsung SM-A107F · Chrome Mobile 120
· Android 10" rather than the raw string."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from ua_parser import parse

GENERIC = {"Other", "Generic Smartphone", "Generic Feature Phone", "K", ""}


def _version(family: str | None, major: str | None) -> str:
    return f"{family} {major}" if family and major else family or ""


@lru_cache(maxsize=512)
def describe(user_agent: str | None) -> str:
    """The device, the browser and the system, as far as the string tells; "" when nothing is
    recognised (the page then says "unknown device")."""
    if not user_agent:
        return ""
    found = parse(user_agent)
    parts = []
    if found.device and found.device.family not in GENERIC:
        parts.append(found.device.family)
    if found.user_agent and found.user_agent.family not in GENERIC:
        parts.append(_version(found.user_agent.family, found.user_agent.major))
    if found.os and found.os.family not in GENERIC:
        parts.append(_version(found.os.family, found.os.major))
    return " · ".join(dict.fromkeys(part for part in parts if part))


@dataclass(frozen=True)
class DeviceRow:
    """One line of the account page's device list: a phone or computer, however many times it
    signed in, with the last time it was used."""

    name: str
    last_seen_at: datetime
    current: bool
    sign_ins: int


def device_rows(sessions, current_token: str | None) -> list[DeviceRow]:
    """Live sessions folded into one row per device (the same browser string), latest first."""
    rows: dict[str, list] = {}
    for row in sessions:
        rows.setdefault(row.user_agent or "", []).append(row)
    found = [DeviceRow(describe(agent), max(s.last_seen_at for s in group),
                       any(s.token == current_token for s in group), len(group))
             for agent, group in rows.items()]
    return sorted(found, key=lambda d: (not d.current, -d.last_seen_at.timestamp()))
