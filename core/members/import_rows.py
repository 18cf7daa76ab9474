"""Reading a member list's rows: recognising the header, checking each row, wording row errors."""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from core.auth.accounts import normalise_login
from core.extensions import db
from core.localtime import today_local
from core.members.forms import probation_ends
from core.members.import_files import ImportFileError
from core.org.models import Level, MemberKind, MemberStatus, Organisation
from core.org.tree import subtree_ids

# Column names as the party-member software exports them, folded (see `header_key`).
HEADERS = {
    "ho va ten": "full_name", "ho ten": "full_name", "ho va ten dang vien": "full_name",
    "so the dang vien": "card_number", "so the": "card_number", "so the dv": "card_number",
    "ngay sinh": "birth_date", "ngay thang nam sinh": "birth_date", "gioi tinh": "gender",
    "ngay vao dang": "admission_date", "ngay ket nap": "admission_date",
    "ngay ket nap dang": "admission_date", "ngay chinh thuc": "official_date",
    "ngay vao dang chinh thuc": "official_date", "ngay cong nhan chinh thuc": "official_date",
    "chi bo": "branch", "ten chi bo": "branch", "chi bo sinh hoat": "branch",
    "trang thai": "status", "tinh trang": "status", "so dien thoai": "phone",
    "dien thoai": "phone", "sdt": "phone", "so dt": "phone",
}
QUIET = {"stt", "tt", "so tt", "so thu tu"}  # row counters: ignored without a mention
FIELD_LABELS = {
    "full_name": _l("full name"), "card_number": _l("Party-card number"),
    "birth_date": _l("date of birth"), "gender": _l("gender"),
    "admission_date": _l("date of admission to the Party"),
    "official_date": _l("date of becoming official"), "org_id": _l("branch"),
    "status": _l("status"), "kind": _l("membership"), "phone": _l("phone number"),
}
ACTIVE, EXEMPT = MemberStatus.ACTIVE.value, MemberStatus.EXEMPT.value
OFFICIAL, PROBATIONARY = MemberKind.OFFICIAL.value, MemberKind.PROBATIONARY.value
# "Trạng thái" values, folded → (status, membership or None when the value does not say).
STATUSES = {
    "chinh thuc": (ACTIVE, OFFICIAL), "dang vien chinh thuc": (ACTIVE, OFFICIAL),
    "du bi": (ACTIVE, PROBATIONARY), "dang vien du bi": (ACTIVE, PROBATIONARY),
    "dang sinh hoat": (ACTIVE, None), "sinh hoat": (ACTIVE, None),
    "mien sinh hoat": (EXEMPT, None), "mien sinh hoat dang": (EXEMPT, None),
    "tu tran": (MemberStatus.DECEASED.value, None), "da tu tran": (MemberStatus.DECEASED.value, None),
    "xoa ten": (MemberStatus.REMOVED.value, None), "da xoa ten": (MemberStatus.REMOVED.value, None),
    "khai tru": (MemberStatus.EXPELLED.value, None), "bi khai tru": (MemberStatus.EXPELLED.value, None),
    "da khai tru": (MemberStatus.EXPELLED.value, None),
}
STATUS_WORDS = "Chính thức, Dự bị, Miễn sinh hoạt, Từ trần, Đã xóa tên, Khai trừ"
GENDERS = {"nam": "nam", "nu": "nữ"}
DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
CELL_CUT = 2000  # longer cells are cut before checking: they fail every field's limit anyway


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: how headers, statuses and near names compare."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).lower().split())


def same(text: str | None) -> str:
    """Names compared as people read them: case and spacing ignored, diacritics kept."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def header_key(text) -> str:
    """ "Họ và tên (*)", "NGÀY  SINH:" → "ho va ten", "ngay sinh"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(re.sub(r"\(.*?\)", " ", str(text)))).split())


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # card and phone numbers typed into number cells
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(unicodedata.normalize("NFC", str(value)[:CELL_CUT]).split())


def shown(text: str) -> str:
    """A cell quoted in a message, cut short."""
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass
class Header:
    row: int  # the header's row number
    columns: dict  # field → column index
    ignored: list  # column names that were not recognised, shown in the preview


def find_header(rows: Iterator[tuple[int, list]]) -> Header:
    """Read up to the header row (title rows above it are skipped) and map its columns."""
    for number, cells in rows:
        columns, ignored = {}, []
        for index, cell in enumerate(cells):
            name = cell_text(cell)
            key = header_key(name)
            if key in HEADERS:
                columns.setdefault(HEADERS[key], index)
            elif key and key not in QUIET:
                ignored.append(shown(name))
        if "full_name" in columns and len(columns) >= 2:
            return Header(number, columns, ignored[:20])
        if number >= 30:
            break
    raise ImportFileError(_("No header row was found. The file needs a row of column names such as "
                            "“Họ và tên”, “Số thẻ đảng viên”, “Ngày sinh”, “Chi bộ”."))


class Branches:
    """The branches (organisations with nothing under them) below the target, found by name."""

    def __init__(self, target: Organisation):
        child = aliased(Organisation)
        has_child = exists().where(child.parent_id == Organisation.id, child.active.is_(True))
        self.names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.id.in_(subtree_ids(target.id)), Organisation.active.is_(True),
            Organisation.level.notin_((Level.PROVINCE.value, Level.DISTRICT.value)), ~has_child)).all())
        self.by_name = defaultdict(list)
        for org_id, name in self.names.items():
            self.by_name[same(name)].append(org_id)
        self.default = target.id if target.id in self.names else None
        self.target = target.name
        self._near: dict[str, str] = {}

    def find(self, text: str) -> tuple[int | None, str | None]:
        """(branch id, None) or (None, the problem to report)."""
        if not text:
            return (self.default, None) if self.default else (None, _("the branch is missing"))
        ids = self.by_name.get(same(text), [])
        if len(ids) == 1:
            return ids[0], None
        if ids:
            return None, _("several branches under %(org)s are named '%(value)s'; import each "
                           "grassroots organisation separately", org=self.target, value=shown(text))
        return None, self.unknown(text)

    def unknown(self, text: str) -> str:
        if text not in self._near:  # worked out once per distinct name: there may be 5,000 branches
            folded = {fold(name): name for name in self.names.values()}
            near = [folded[k] for k in difflib.get_close_matches(fold(text), list(folded), n=3, cutoff=0.6)]
            self._near[text] = (_("branch '%(value)s' is not under %(org)s; did you mean: %(names)s?",
                                  value=shown(text), org=self.target, names="; ".join(near)) if near
                                else _("branch '%(value)s' is not under %(org)s", value=shown(text),
                                       org=self.target))
        return self._near[text]


@dataclass
class Row:
    """One checked row: values ready to store (None: empty or absent) and its problems."""

    number: int
    full_name: str = ""
    card_number: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    admission_date: date | None = None
    official_date: date | None = None
    org_id: int | None = None
    status: str | None = None
    kind: str | None = None  # only when the file says so
    phone: str | None = None
    errors: list = field(default_factory=list)

    @property
    def key(self) -> tuple:
        """How a member without a card is recognised: name, date of birth, branch."""
        return same(self.full_name), self.birth_date, self.org_id


class RowChecker:
    """Checks rows one at a time, remembering card numbers and people already seen in the file."""

    def __init__(self, columns: dict, branches: Branches):
        self.columns, self.branches = columns, branches
        self.cards: dict[str, int] = {}
        self.keys: dict[tuple, int] = {}
        self.today = today_local(None)

    def check(self, number: int, cells: list) -> Row | None:
        raw = {name: cells[i] if i < len(cells) else None for name, i in self.columns.items()}
        text = {name: cell_text(value) for name, value in raw.items()}
        if not any(text.values()):
            return None  # a blank row
        row = Row(number)
        self.name(row, text.get("full_name", ""))
        row.card_number = self.number(row, "card_number", text.get("card_number", ""))
        row.phone = self.number(row, "phone", text.get("phone", ""))
        for name in ("birth_date", "admission_date", "official_date"):
            setattr(row, name, self.date(row, name, raw.get(name), text.get(name, "")))
        self.choice(row, text)
        row.org_id, problem = self.branches.find(text.get("branch", ""))
        if problem:
            row.errors.append(problem)
        self.consistent(row)
        self.unique(row)
        return row

    def bad(self, row: Row, name: str, value: str) -> None:
        row.errors.append(_("%(field)s is not valid '%(value)s'", field=FIELD_LABELS[name],
                            value=shown(value)))

    def name(self, row: Row, text: str) -> None:
        if not text:
            row.errors.append(_("the full name is missing"))
        elif len(text) > 255 or not any(ch.isalpha() for ch in text):
            self.bad(row, "full_name", text)
        else:  # kept as text even when it starts with = + - @: nothing here evaluates it
            row.full_name = text.title() if text.isupper() else text

    def number(self, row: Row, name: str, text: str) -> str | None:
        if not text:
            return None
        value = normalise_login(text.lstrip("'"))
        if name == "phone" and len(value) == 9 and value.isdigit() and value[0] != "0":
            value = "0" + value  # a phone typed into a number cell loses its leading zero
        low, high = (8, 15) if name == "phone" else (4, 32)
        if not value.isdigit() or not low <= len(value) <= high:
            self.bad(row, name, text)
            return None
        return value

    def date(self, row: Row, name: str, raw, text: str) -> date | None:
        if not text:
            return None
        try:
            if isinstance(raw, (datetime, date)):
                value = raw.date() if isinstance(raw, datetime) else raw
            elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and 2200 <= raw < 73051:
                # An Excel day number; smaller numbers (1970 typed as a year) would land in 1905.
                value = date(1899, 12, 30) + timedelta(days=int(raw))
            elif match := DMY.fullmatch(text):
                value = date(int(match[3]), int(match[2]), int(match[1]))
            elif match := YMD.fullmatch(text):
                value = date(int(match[1]), int(match[2]), int(match[3]))
            else:
                raise ValueError(text)
        except ValueError:
            value = None
        if value is None or value.year < 1900 or value > self.today:
            self.bad(row, name, text)
            return None
        return value

    def choice(self, row: Row, text: dict) -> None:
        gender = text.get("gender", "")
        if gender:
            row.gender = GENDERS.get(fold(gender))
            if row.gender is None:
                self.bad(row, "gender", gender)
        status = text.get("status", "")
        if status:
            row.status, row.kind = STATUSES.get(fold(status), (None, None))
            if row.status is None:
                row.errors.append(_("status '%(value)s' is not known (use: %(words)s)",
                                    value=shown(status), words=STATUS_WORDS))

    def consistent(self, row: Row) -> None:
        born, admitted, official = row.birth_date, row.admission_date, row.official_date
        if born and admitted and admitted <= born:
            row.errors.append(_("the date of admission to the Party is not after the date of birth"))
        if admitted and official and official < admitted:
            row.errors.append(_("the official date is before the date of admission to the Party"))
        elif admitted and official and official < probation_ends(admitted):  # Charter, article 5
            row.errors.append(_("the probation lasts 12 months: the official date is %(date)s or later",
                                date=probation_ends(admitted).strftime("%d/%m/%Y")))
        if row.kind == PROBATIONARY and official:
            row.errors.append(_("a probationary member has no official date yet"))

    def unique(self, row: Row) -> None:
        """The same card (or, without a card, the same person) twice in the file is an error."""
        if row.card_number:
            first = self.cards.setdefault(row.card_number, row.number)
            if first != row.number:
                row.errors.append(_("the Party-card number %(card)s is already in row %(row)s",
                                    card=row.card_number, row=first))
        elif row.full_name and row.org_id:
            first = self.keys.setdefault(row.key, row.number)
            if first != row.number:
                row.errors.append(_("the same person (name, date of birth, branch) is already in "
                                    "row %(row)s", row=first))


def near(a: str | None, b: str | None, most: int = 2) -> bool:
    """Names at most `most` letters apart (one typed wrong, dropped or added), diacritics,
    case and spacing ignored: a typo, not another person."""
    a, b = fold(a or ""), fold(b or "")
    if a == b:
        return True
    if abs(len(a) - len(b)) > most:
        return False
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other)))
        if min(current) > most:
            return False
        previous = current
    return previous[-1] <= most


def same_day(a: date | None, b: date | None) -> bool:
    """Dates of birth that may be one person's: unknown on one side, equal, one digit typed
    wrong, or day and month swapped."""
    if a is None or b is None or a == b:
        return True
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return True
    return sum(x != y for x, y in zip(a.strftime("%d%m%Y"), b.strftime("%d%m%Y"))) <= 1


def same_person(full_name: str, birth_date: date | None, row: Row) -> bool:
    """Does the row describe the member holding its card, or someone else (a card typed wrong)?"""
    return near(full_name, row.full_name) and same_day(birth_date, row.birth_date)
