"""Hostile values and whole hostile requests, as Hypothesis strategies.

A value is drawn from families a careless or malicious client sends: very long text, control
characters, invalid UTF-8 (raw bytes), Vietnamese in all four Unicode normal forms, HTML/JS/htmx
injection, SQL fragments, huge numbers, dates out of range, values of the wrong type. A request
is built from a form or a link the crawl found: each field kept (so deeper checks are reached),
replaced, dropped, repeated, or given another organisation's id."""
from __future__ import annotations

import os
import unicodedata
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.fuzz.crawl import Field, Form, Link

CSRF = "\x00csrf\x00"  # stands for the role's current token; the harness puts it in when sending

# --- settings ---------------------------------------------------------------------------------

def examples(default: int) -> int:
    """Examples per test: FUZZ_EXAMPLES (a multiplier of the default, "x10") or a count."""
    wanted = os.environ.get("FUZZ_EXAMPLES", "")
    if wanted.startswith("x"):
        return default * int(wanted[1:])
    return int(wanted) if wanted else default


def rounds() -> range:
    """FUZZ_ROUNDS: how many times each fuzz test runs, each time on a fresh database (a long run
    spreads over both cores and keeps each database small)."""
    return range(int(os.environ.get("FUZZ_ROUNDS", "1")))


def fuzz_settings(default: int) -> settings:
    """Reproducible in CI (derandomize, no example database); random in a long run (FUZZ_SEED
    unset there means a new sequence each time). No shrinking: problems are collected, not raised,
    because the database changes between examples."""
    long_run = bool(os.environ.get("FUZZ_EXAMPLES"))
    return settings(max_examples=examples(default), deadline=None, database=None,
                    derandomize=not long_run, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck), print_blob=False)


# --- values -----------------------------------------------------------------------------------

VIETNAMESE = ["Nghị quyết", "Đảng", "Đảng bộ tỉnh Thái Nguyên", "Nguyễn Thị Ánh Tuyết", "Chi bộ xóm Đồng Tâm",
              "Bí thư chi bộ", "Ủy ban kiểm tra", "Hội nghị lần thứ mười hai", "Trường Sa, Hoàng Sa",
              "Kỷ luật, khiển trách", "ỷ ỹ ự ữ ậ ẫ ắ ằ"]
NORMAL_FORMS = ("NFC", "NFD", "NFKC", "NFKD")
# {m} is a marker unique to the value, so the browser test can tell which payload it sees.
INJECTIONS = [
    '<img src=x onerror="window.__pwned=\'{m}\'">',
    '<script>window.__pwned="{m}"</script>',
    '"><svg onload="window.__pwned=\'{m}\'">',
    "'><img src=x onerror=window.__pwned='{m}'>",
    '<a href="javascript:window.__pwned=\'{m}\'">{m}</a>',
    '<a href="JaVaScRiPt&#58;window.__pwned=1">{m}</a>',
    '<div hx-get="/__pwned/hx/{m}" hx-trigger="load">{m}</div>',
    '<div data-hx-get="/__pwned/hx/{m}" data-hx-trigger="load">{m}</div>',
    '<button hx-on:click="window.__pwned=\'{m}\'" hx-post="/__pwned/hx/{m}" hx-trigger="load">{m}</button>',
    '<p hx-on::load="window.__pwned=\'{m}\'">{m}</p>',
    '<iframe src="javascript:top.__pwned=\'{m}\'"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=\'{m}\'">',
    '<meta http-equiv="refresh" content="0;url=/__pwned/meta/{m}">',
    '<style>@import "/__pwned/css/{m}";</style>',
    '<img src="/__pwned/img/{m}">',
    '</textarea><script>window.__pwned="{m}"</script>',
    '</title><script>window.__pwned="{m}"</script>',
    '<!--<img src="--><img src=x onerror=window.__pwned=\'{m}\'//">',
    'javascript:window.__pwned="{m}"',
    '{{{{7*7}}}}{m}',
    '<b onmouseover="window.__pwned=\'{m}\'">{m}</b><form action="/__pwned/form/{m}"><button>x</button></form>',
]
SQL = ["' OR '1'='1", "1 OR 1=1", "'; DROP TABLE member; --", '" OR ""="', "%' --", "%", "_", "\\",
       "\\'", "1; SELECT pg_sleep(3)--", "' UNION SELECT password_hash FROM user_account --",
       "' AND 1=CAST((SELECT version()) AS int)--", "$1", ":id", "?", "'||'", "%%%%_%%"]
NUMBERS = ["0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
           "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999", "1e309",
           "-0", "NaN", "Infinity", "1.5", "0x1F", "١٢٣", "²", "①", "１２", "𝟗", "1_000", " 1 ", "+1",
           "007", "1" * 400]
DATES = ["31/02/2024", "29/02/2023", "00/00/0000", "32/13/2020", "9999-12-31", "0001-01-01",
         "0000-01-01", "10000-01-01", "-0001-01-01", "1900-01-01", "2999-01-01", "2024-02-30",
         "05/12/99999", "5/5/5", "2024-1-1", "31/12/9999", "01/01/0001", "hôm nay", "1e5",
         "24:00", "25:61", "23:59:60", "-1:00", "19h30", "99h", "12:00:00.000000001"]
WRONG_TYPES = ["", " ", "null", "None", "true", "[]", "{}", "[1,2]", '{"a": 1}', "undefined", "on",
               "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"]
ODD_UNICODE = ["\u202eevil\u202c", "\u200b", "\ufeff", "a" + "\u0301" * 60, "🇻🇳", "𝕍𝕚ệ𝕥", "\U0010ffff",
               "\uffff", "ﷺ", "İ", "ß", "ǅ", "\u2028", "\u00a0"]
RAW_BYTES = [b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80",
             b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x00", b"%", b"%zz", b"%ff%fe", b"%c0%af", b"%00",
             b"\x80" * 40, "Đảng".encode("utf-16"), "Nghị quyết".encode("cp1258", "replace"),
             "Đảng".encode("latin-1", "replace")]
UNITS = ["a", "Đ", "ệ ", "<b>x</b>", "\n", "🙂", "A ", "\t", "ừ" * 3]

safe_characters = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent as UTF-8


def vietnamese() -> st.SearchStrategy[str]:
    return st.builds(lambda text, form: unicodedata.normalize(form, text), st.sampled_from(VIETNAMESE),
                     st.sampled_from(NORMAL_FORMS))


def injection() -> st.SearchStrategy[str]:
    return st.builds(lambda template, n: template.format(m=f"pw{n:06d}"), st.sampled_from(INJECTIONS),
                     st.integers(0, 999_999))


def long_text(max_repeat: int = 70_000) -> st.SearchStrategy[str]:
    return st.builds(lambda unit, n: unit * n, st.sampled_from(UNITS), st.integers(256, max_repeat))


def control_text() -> st.SearchStrategy[str]:
    controls = st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Co", "Mn"))
    return st.text(controls, min_size=1, max_size=40)


def hostile_text() -> st.SearchStrategy[str]:
    """Any hostile value that can be sent as text."""
    single = st.one_of(
        vietnamese(), injection(), long_text(), control_text(),
        st.sampled_from(SQL), st.sampled_from(NUMBERS), st.sampled_from(DATES),
        st.sampled_from(WRONG_TYPES), st.sampled_from(ODD_UNICODE),
        st.text(safe_characters, max_size=60),
    )
    return st.one_of(single, st.builds(lambda a, b: a + b, single, single))


def hostile_bytes() -> st.SearchStrategy[bytes]:
    """Bytes that are not valid UTF-8 (raw, or percent-encoded), mixed with text."""
    return st.builds(lambda pieces: b"".join(pieces), st.lists(st.one_of(
        st.sampled_from(RAW_BYTES), st.builds(lambda s: s.encode(), st.sampled_from(VIETNAMESE))),
        min_size=1, max_size=4))


# --- plausible values (so that one hostile field meets otherwise valid ones) -------------------

def plausible(f: Field, pick) -> str:
    """What a careful person would put in `f` (its current value when it has one); `pick(seq)`
    chooses one element (Hypothesis' draw in the fuzz, a seeded random.choice elsewhere)."""
    name = f.name.split("-")[-1]
    if f.kind in ("select", "radio", "checkbox"):
        choices = [o for o in f.options if o] or list(f.options) or [""]
        return f.value if f.value else pick(choices)
    if name == "idempotency_key":  # a new key each time, or now and then a retried one
        return pick([uuid.uuid4().hex] * 4 + ["fuzz-retried-key"])
    if f.value and f.value.strip():
        return f.value
    if f.kind == "date" or name.endswith(("_date", "_on", "_from", "_to")):
        return pick(["2020-05-19", "19/05/2020", "01/01/1990"])
    if f.kind == "time":
        return "19:30"
    if name in ("card_number",):
        return str(pick(range(10_000_000, 99_999_999)))
    if name in ("phone",) or f.kind == "tel":
        return "09" + str(pick(range(10_000_000, 99_999_999)))
    if name == "url" or f.kind == "url":
        return "http://rss.fuzz.invalid/rss"
    if f.kind == "password" or name in ("current", "confirm", "password"):
        return "sai-mat-khau-fuzz"  # never the real one: the account must stay signed in
    if name == "code":
        return "123456"
    return unicodedata.normalize(pick(NORMAL_FORMS), pick(VIETNAMESE))


def drawing(draw):
    """`pick` for plausible() inside a Hypothesis test."""
    return lambda seq: draw(st.sampled_from(seq))


# --- requests ---------------------------------------------------------------------------------

@dataclass
class Request:
    """One request to send: method, path, query (str or raw bytes), posted pairs (a value is a
    str, raw bytes, or (bytes, filename) for a file), how the body is encoded, the CSRF token's
    fate."""

    method: str
    path: str
    query: str | bytes = ""
    pairs: list[tuple[str, object]] = field(default_factory=list)
    encoding: str = "form"   # form, multipart, raw (hand-made urlencoded bytes), json, none
    csrf: str = "valid"      # valid, missing, wrong
    source: str = ""         # the endpoint it was built from

    def describe(self, width: int = 60) -> str:
        def short(value) -> str:
            text = repr(value)
            return text if len(text) <= width else text[:width] + f"…({len(text)} chars)"
        query = f"?{short(self.query)}" if self.query else ""
        body = ", ".join(f"{k}={short(v)}" for k, v in self.pairs[:12])
        return f"{self.method} {self.path}{query} [{self.encoding}, csrf {self.csrf}] {body}"


@dataclass(frozen=True)
class Pools:
    """Ids found in the database (other branches' and the other province's included) and the
    parameter names seen anywhere on the site."""

    ids: tuple[int, ...]
    params: tuple[str, ...]


# Ways to write a number that int() (and so WTForms' coerce=int) reads like the plain digits.
SPELLINGS = [str, str, str, lambda n: f"+{n}", lambda n: f" {n} ", lambda n: f"0{n}",
             lambda n: "".join(chr(0x660 + int(d)) for d in str(n)),   # Arabic-Indic digits
             lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)),  # full-width digits
             lambda n: "_".join(str(n)) if n > 9 else str(n)]


def forged_id(pools: Pools) -> st.SearchStrategy[str]:
    """Another object's id, in any spelling int() accepts, or a number no id can be."""
    huge = st.sampled_from(["0", "-1", "2147483648", "9223372036854775808", "10" * 15])
    if not pools.ids:
        return huge
    return st.one_of(st.builds(lambda n, spell: spell(n), st.sampled_from(pools.ids),
                               st.sampled_from(SPELLINGS)), huge)


def attack(pools: Pools) -> st.SearchStrategy:
    """A replacement for a field's or parameter's value: hostile text, raw bytes, a forged id."""
    return st.one_of(hostile_text(), hostile_text(), forged_id(pools), hostile_bytes())


@st.composite
def form_request(draw, form: Form, pools: Pools) -> Request:
    """A post of `form` with some fields kept plausible and the others attacked."""
    pairs: list[tuple[str, object]] = []
    csrf = draw(st.sampled_from(["valid"] * 8 + ["missing", "wrong"]))
    for f in form.fields:
        if f.name.endswith("csrf_token"):
            if csrf == "valid":
                pairs.append((f.name, CSRF))
            elif csrf == "wrong":
                pairs.append((f.name, draw(hostile_text())))
            continue
        if f.kind == "file":
            continue  # files are fuzzed in test_uploads.py
        fate = draw(st.sampled_from(["keep"] * 5 + ["attack"] * 4 + ["missing", "repeat", "forge"]))
        if f.kind in ("checkbox",) and fate == "keep":
            for option in draw(st.lists(st.sampled_from(f.options or ("on",)), max_size=3, unique=True)):
                pairs.append((f.name, option))
        elif fate == "keep":
            pairs.append((f.name, plausible(f, drawing(draw))))
        elif fate == "attack":
            pairs.append((f.name, draw(attack(pools))))
        elif fate == "repeat":
            pairs += [(f.name, plausible(f, drawing(draw))), (f.name, draw(attack(pools)))]
        elif fate == "forge":
            pairs.append((f.name, draw(forged_id(pools))))
    if draw(st.integers(0, 9)) == 0:  # a field the form does not have
        pairs.append((draw(st.sampled_from(pools.params or ("x",))), draw(hostile_text())))
    encoding = draw(st.sampled_from(["form"] * 4 + ["multipart"] * 2 + ["raw", "json", "none"]))
    path, query = _split(form.action)
    if draw(st.integers(0, 5)) == 0:
        path = draw(mutated_path(path, pools))
    return Request("POST", path, query, pairs, encoding, csrf, form.endpoint)


@st.composite
def link_request(draw, link: Link, pools: Pools) -> Request:
    """A GET of `link` with its parameters attacked (and parameters seen elsewhere added)."""
    names = [k for k, _v in link.params]
    known = dict(link.params)
    pairs: list[tuple[str, object]] = []
    for name in names:
        fate = draw(st.sampled_from(["keep", "attack", "attack", "missing", "repeat", "forge"]))
        if fate == "keep":
            pairs.append((name, known[name]))
        elif fate == "attack":
            pairs.append((name, draw(attack(pools))))
        elif fate == "repeat":
            pairs += [(name, known[name]), (name, draw(hostile_text()))]
        elif fate == "forge":
            pairs.append((name, draw(forged_id(pools))))
    for _ in range(draw(st.integers(0, 2))):
        pairs.append((draw(st.sampled_from(pools.params or ("q",))), draw(attack(pools))))
    path = link.path
    if draw(st.integers(0, 5)) == 0:
        path = draw(mutated_path(path, pools))
    return Request("GET", path, encode_query(pairs), [], "none", "valid", link.endpoint)


@st.composite
def page_request(draw, url: str, pools: Pools) -> Request:
    """A GET of a page the crawl opened, its path's ids or names forged, or odd bytes appended."""
    path, query = _split(url)
    if draw(st.booleans()):
        path = draw(mutated_path(path, pools))
    if draw(st.booleans()):
        query = draw(st.one_of(hostile_bytes(), hostile_text().map(lambda s: s.encode())))
    return Request("GET", path, query, [], "none", "valid", "page")


@st.composite
def mutated_path(draw, path: str, pools: Pools) -> str:
    """`path` with one segment replaced: an id by another object's id or a huge number, a name by
    hostile text (percent-encoded, invalid UTF-8 included)."""
    segments = path.split("/")
    spots = [i for i, s in enumerate(segments) if s and i > 1] or [len(segments) - 1]
    i = draw(st.sampled_from(spots))
    if segments[i].isdigit():
        segments[i] = draw(forged_id(pools))
    else:
        raw = draw(st.one_of(hostile_text().map(lambda s: s.encode()), hostile_bytes()))
        segments[i] = quote(raw[:300], safe="") or "%00"
    return "/".join(segments)


def encode_query(pairs: list[tuple[str, object]]) -> bytes:
    """A query string as bytes: text percent-encoded as UTF-8, raw bytes left as they are."""
    parts = []
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
        if isinstance(value, bytes):
            parts.append(quote(name).encode() + b"=" + raw.replace(b"&", b"%26").replace(b"#", b"%23"))
        else:
            parts.append(quote(name).encode() + b"=" + quote(raw, safe="").encode())
    return b"&".join(parts)


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query
