"""Slowing password and code guessing without letting a stranger lock a member out.

Sign-in (README "Sign-in throttling" says the same in short):

- The account counted is the one the typed name resolves to, so a member's card number and
  phone share one counter; a name that resolves to nobody is counted by what was typed (hashed,
  so a password typed into the wrong box never lands in the database).
- A browser that signed in to the account before carries a signed device cookie for it
  (core.auth.devices). Its attempts are never refused because of failures made elsewhere: only
  its own failures pause it (LOGIN_ACCOUNT_FAILURES of them, then a pause that doubles, at
  most an hour).
- Attempts without one are paused by the same rule per (account, address), and per account
  over every address: LOGIN_ACCOUNT_WIDE_FAILURES pause such attempts for
  LOGIN_ACCOUNT_WIDE_PAUSE_SECONDS, at most three times that however long the guessing goes
  on. A member on a new phone waits that long at worst, or signs in with a code from the
  secretary (/reset is never held by these counters), which also gives the phone its cookie.
- An address is paused (again only for attempts without a device cookie) when its failures
  pass LOGIN_ADDRESS_FAILURES + LOGIN_ADDRESS_RATIO x the distinct accounts that signed in from
  it in the window: a ward meeting of 200 behind one NAT, typos included, gets in; a credential
  stuffer from one address is stopped after a few dozen tries.
- During a pause the password is not checked at all (else the pause would stop nothing); a
  correct password is refused only by the attempt's own device, its own address, or, for a
  browser that never signed in to the account, the account's own bounded pause.

The address is request.remote_addr: behind a reverse proxy, PROXY_FIX says how many proxies'
X-Forwarded-For to believe (core.security). Counters live in the database (auth_throttle), never
in a process; the core.sweep job deletes old rows."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from sqlalchemy.dialects import postgresql, sqlite

from core.auth.models import Throttle
from core.extensions import db
from core.org.models import utcnow

MAX_PAUSE = 3600


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: whose account, from where, and the device cookie vouching for it."""

    account: str  # "u<id>" for an account, "t<hash>" for a typed name that is nobody's
    address: str
    device: str | None  # the device cookie's id when it was issued for this account

    @property
    def keys(self) -> dict[str, str]:
        return {"pair": f"pair:{self.account}:{self.address}", "account": f"acct:{self.account}",
                "address": f"addr:{self.address}", "device": f"dev:{self.device}"}


def typed_key(login: str) -> str:
    """What was typed as a login, normalised and hashed."""
    from core.auth.accounts import normalise_login

    return "t" + hashlib.sha256(normalise_login(login).encode()).hexdigest()[:40]


def address() -> str:
    return request.remote_addr or "?"


def login_attempt(typed: str, user) -> Attempt:
    from core.auth import devices

    account = f"u{user.id}" if user is not None else typed_key(typed)
    return Attempt(account, address(), devices.vouching_for(user))


def wait(attempt: Attempt) -> int:
    """Seconds before this attempt may be tried (0: go ahead)."""
    keys = attempt.keys
    if attempt.device:
        return paused(keys["device"])
    return paused(keys["pair"], keys["account"], keys["address"])


def failed(attempt: Attempt) -> None:
    """A wrong password (or a disabled account): count it where it belongs."""
    config, keys = current_app.config, attempt.keys
    limit, pause = config["LOGIN_ACCOUNT_FAILURES"], config["LOGIN_ACCOUNT_PAUSE_SECONDS"]
    if attempt.device:  # only this device's own count: nobody else is held back by it
        strike(keys["device"], limit, pause)
        return
    strike(keys["pair"], limit, pause)
    wide = config["LOGIN_ACCOUNT_WIDE_PAUSE_SECONDS"]
    strike(keys["account"], config["LOGIN_ACCOUNT_WIDE_FAILURES"], wide, cap=3 * wide)
    row = _row(keys["address"])
    row.failures += 1
    if row.failures >= config["LOGIN_ADDRESS_FAILURES"] + config["LOGIN_ADDRESS_RATIO"] * row.successes:
        row.blocked_until = utcnow() + timedelta(seconds=config["LOGIN_ADDRESS_PAUSE_SECONDS"])


def succeeded(attempt: Attempt) -> None:
    """The right password: this device and this (account, address) start afresh, and the
    address counts one more distinct account (the same account twice counts once)."""
    keys = attempt.keys
    if attempt.device:
        clear(keys["device"])
    pair = _row(keys["pair"])
    pair.failures, pair.blocked_until = 0, None
    if not pair.successes:
        pair.successes = 1
        _row(keys["address"]).successes += 1


def count(key: str, limit: int, window_seconds: int) -> int:
    """Count one more request under `key` (whatever its outcome); past `limit` in the window,
    the seconds until the window ends (0: go ahead)."""
    now = utcnow()
    row = _row(key, window_seconds)
    row.failures += 1
    if row.failures > limit:
        row.blocked_until = row.window_start + timedelta(seconds=window_seconds)
        return max(1, int((row.blocked_until - now).total_seconds()) + 1)
    return 0


def strike(key: str, limit: int, pause: int, cap: int = MAX_PAUSE) -> None:
    """One more failure under `key`: every `limit` of them, a pause of 1, 2, 4 … x `pause`."""
    row = _row(key)
    row.failures += 1
    if row.failures >= limit and row.failures % limit == 0:
        factor = 2 ** min(row.failures // limit - 1, 6)
        row.blocked_until = utcnow() + timedelta(seconds=min(pause * factor, cap))


def paused(*keys: str) -> int:
    """Seconds until every key may try again (0: go ahead)."""
    now = utcnow()
    waits = [0]
    for key in keys:
        row = db.session.get(Throttle, key)
        if row is not None and row.blocked_until and row.blocked_until > now:
            waits.append(int((row.blocked_until - now).total_seconds()) + 1)
    return max(waits)


def guesses_paused(key: str) -> int:
    """For a plugin's short codes (a meeting's check-in code, a contest's): seconds until `key`
    may guess again, 0 when it may. Check it before comparing what was typed."""
    return paused(key)


def wrong_guess(key: str, limit: int, window_seconds: int) -> None:
    """One wrong guess under `key` (name it "<plugin>:<what>:<whose>"): after `limit` of them
    in `window_seconds`, `guesses_paused(key)` holds until the window ends. Kept in the database
    with the sign-in counters, so a new session or another phone does not start afresh; the
    caller commits, also when it answers 400."""
    count(key, limit - 1, window_seconds)


def clear(key: str) -> None:
    row = db.session.get(Throttle, key)
    if row is not None:
        db.session.delete(row)


def _row(key: str, window_seconds: int | None = None) -> Throttle:
    """The key's row, locked for this transaction (PostgreSQL), created if new, and started
    afresh once its window is over and no pause holds it."""
    now = utcnow()
    window = timedelta(seconds=window_seconds or current_app.config["LOGIN_WINDOW_SECONDS"])
    row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if row is None:
        # Two first attempts at once must not both insert (one would fail with a 500).
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(Throttle).values(
            key=key, failures=0, successes=0, window_start=now).on_conflict_do_nothing())
        row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if now - row.window_start > window and (row.blocked_until is None or row.blocked_until < now):
        row.failures, row.successes, row.window_start, row.blocked_until = 0, 0, now, None
    return row
