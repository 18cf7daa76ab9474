"""Vietnamese text as an announcer reads it: numbers, dates, times, money, Roman numerals and the
abbreviations of Party and state documents written out, before the engine speaks it.

The general work (numbers, dates, times, percentages, money, ranges, Roman numerals, common
abbreviations such as UBND or TP.) is done by g2p-hamster's rule layer (`t0`, pure Python,
Apache-2.0, no model): the README says which normalisers were tried and why this one. This module
adds only what it reads wrongly: Party-document numbers (57-NQ/TW, 123/QĐ-UBND), the document and
committee abbreviations it spells letter by letter (NQ, QĐ, BTV, TƯ, Đ/c…), ordinals (thứ 4 →
thứ tư), day ranges (15-20/10/2024), "7h30" and quarters (quý III/2024)."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

# Written out as a Vietnamese announcer reads them. Case matters: "CT" is a directive, "ct" is not.
ABBREVIATIONS = {
    # kinds of document
    "NQ": "nghị quyết", "QĐ": "quyết định", "QĐi": "quy định", "CT": "chỉ thị", "KL": "kết luận",
    "HD": "hướng dẫn", "TB": "thông báo", "BC": "báo cáo", "KH": "kế hoạch", "CV": "công văn",
    "TTr": "tờ trình", "NĐ": "nghị định", "TTg": "thủ tướng", "CP": "chính phủ", "QH": "quốc hội",
    "TTLT": "thông tư liên tịch", "CTr": "chương trình",
    # the Party's and the state's bodies
    "TƯ": "Trung ương", "TW": "Trung ương", "BCH": "Ban Chấp hành", "BTV": "Ban Thường vụ",
    "BCT": "Bộ Chính trị", "BBT": "Ban Bí thư", "BTC": "Ban Tổ chức", "BTG": "Ban Tuyên giáo",
    "BDV": "Ban Dân vận", "BNC": "Ban Nội chính", "UBKT": "Ủy ban Kiểm tra", "BCĐ": "Ban Chỉ đạo",
    "BCS": "ban cán sự", "ĐĐ": "đảng đoàn", "TU": "Tỉnh ủy", "HU": "Huyện ủy", "TX": "thị xã",
    "ĐU": "Đảng ủy", "ĐUK": "Đảng ủy khối", "TCCS": "tổ chức cơ sở", "TCCSĐ": "tổ chức cơ sở đảng",
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "MTTQ": "Mặt trận Tổ quốc",
    "ĐCSVN": "Đảng Cộng sản Việt Nam", "TNCS": "Thanh niên Cộng sản", "HTX": "hợp tác xã",
    "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế", "NTM": "nông thôn mới",
    "CNXH": "chủ nghĩa xã hội", "XHCN": "xã hội chủ nghĩa", "CNH": "công nghiệp hóa",
    "HĐH": "hiện đại hóa", "KT-XH": "kinh tế - xã hội", "QP-AN": "quốc phòng - an ninh",
    "ANTT": "an ninh trật tự", "THCS": "trung học cơ sở", "THPT": "trung học phổ thông",
    "VNĐ": "đồng", "VND": "đồng",
}
# Written with punctuation, so matched on their own (before the rule layer sees the dot or slash).
PUNCTUATED = [
    (re.compile(r"(?<!\w)[Đđ]/[Cc](?!\w)"), "đồng chí"),
    (re.compile(r"(?<!\w)[Đđ]/[Cc]s(?!\w)"), "các đồng chí"),
    (re.compile(r"(?<!\w)v\.v\.?(?!\w)"), "vân vân"),
    (re.compile(r"(?<!\w)TP\.\s*"), "thành phố "),
    (re.compile(r"(?<!\w)Tp\.\s*"), "thành phố "),
    (re.compile(r"(?<!\w)TX\.\s*"), "thị xã "),
]
CODE = r"[A-ZĐƯ][A-Za-zĐđƯư]*"
# 57-NQ/TW, 02-HD/BTCTW (Party style: number-KIND/ISSUER)
PARTY_NUMBER = re.compile(rf"(?<![\w/])(\d+)\s*[-–]\s*({CODE})/({CODE}(?:-{CODE})?)(?![\w/])")
# 123/QĐ-UBND, 15/2024/NĐ-CP (state style: number[/year]/KIND-ISSUER)
STATE_NUMBER = re.compile(rf"(?<![\w/])(\d+)(?:/(\d{{4}}))?/({CODE})-({CODE}(?:-{CODE})?)(?![\w/])")
# 15-20/10/2024: from the 15th to the 20th of October
DAY_RANGE = re.compile(r"(?<![\d/])(\d{1,2})\s*[-–]\s*(\d{1,2})/(\d{1,2})(/\d{4})?(?![\d/])")
CLOCK = re.compile(r"(?<![\w:])(\d{1,2})\s?h\s?(\d{2})?(?!\w)")
TIME_RANGE = re.compile(r"(giờ(?: \d{1,2})?(?: phút)?)\s*[-–]\s*(?=\d)")
ORDINAL = re.compile(r"(?<!\w)(thứ|Thứ) (1|4)(?!\d|[.,]\d)")
QUARTER = re.compile(r"(?<!\w)([Qq]uý) ([IV]+|\d)/(\d{4})")
SQUARE = re.compile(r"(?<=\d) ?(k?m)2(?!\w)")
WORD = re.compile(r"(?<!\w)(" + "|".join(sorted((re.escape(k) for k in ABBREVIATIONS), key=len,
                                                  reverse=True)) + r")(?!\w)")
SPACES = re.compile(r"[ \t\u00a0]+")


def expand_code(code: str) -> str:
    """A document's kind or issuer code written out: "BTCTW" → "Ban Tổ chức Trung ương".

    A code made of several known ones (BTC + TW) is split, longest first; a code that cannot be
    split entirely is left for the rule layer to spell."""
    if code in ABBREVIATIONS:
        return ABBREVIATIONS[code]
    if "-" in code:
        return " ".join(expand_code(part) for part in code.split("-"))
    parts, rest = [], code
    while rest:
        for size in range(len(rest), 0, -1):
            if rest[:size] in ABBREVIATIONS:
                parts.append(ABBREVIATIONS[rest[:size]])
                rest = rest[size:]
                break
        else:
            return code
    return " ".join(parts)


def _kind(code: str, before: str) -> str:
    """QĐ is a regulation (quy định) after the words "Quy định", a decision otherwise."""
    if code == "QĐ" and re.search(r"quy định(?: số)?\s*$", before[-20:], re.IGNORECASE):
        return "quy định"
    return expand_code(code)


def _party_number(match: re.Match) -> str:
    kind = _kind(match[2], match.string[:match.start()])
    return f"{match[1]} {kind} {expand_code(match[3])}"


def _state_number(match: re.Match) -> str:
    year = f" năm {match[2]}" if match[2] else ""
    kind = _kind(match[3], match.string[:match.start()])
    return f"{match[1]}{year} {kind} {expand_code(match[4])}"


def _day_range(match: re.Match) -> str:
    return f"{match[1]} đến ngày {match[2]}/{match[3]}{match[4] or ''}"


def _clock(match: re.Match) -> str:
    return f"{match[1]} giờ {match[2]}" if match[2] else f"{match[1]} giờ"


def prepare(text: str) -> str:
    """The Party-document pass, before the rule layer."""
    text = PARTY_NUMBER.sub(_party_number, text)
    text = STATE_NUMBER.sub(_state_number, text)
    text = DAY_RANGE.sub(_day_range, text)
    text = CLOCK.sub(_clock, text)
    text = TIME_RANGE.sub(r"\1 đến ", text)
    text = ORDINAL.sub(lambda m: f"{m[1]} {'nhất' if m[2] == '1' else 'tư'}", text)
    text = QUARTER.sub(r"\1 \2 năm \3", text)
    text = SQUARE.sub(lambda m: " ki lô mét vuông" if m[1] == "km" else " mét vuông", text)
    for pattern, spoken in PUNCTUATED:
        text = pattern.sub(spoken, text)
    return WORD.sub(lambda m: ABBREVIATIONS[m[1]], text)


@lru_cache(maxsize=1)
def _rules():
    from g2p_hamster.t0 import pipeline

    return pipeline


def spoken_line(line: str) -> str:
    line = SPACES.sub(" ", line).strip()
    if not line:
        return ""
    read = _rules().normalize(prepare(line))["read_string"]
    return SPACES.sub(" ", read).strip()


def spoken_form(text: str) -> str:
    """`text` as it will be spoken, one line per line of the text (empty lines dropped)."""
    return "\n".join(filter(None, (spoken_line(line) for line in text.splitlines())))


def speakable(text: str) -> bool:
    """Is there anything to say (a letter or a digit), or only punctuation and spaces?"""
    return any(ch.isalnum() for ch in text)


class _Text(HTMLParser):
    """The text of sanitised HTML, a line per paragraph, heading or list item."""

    BREAKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote",
              "section", "article", "ul", "ol", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag in ("td", "th"):
            self.parts.append(", ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(markup: str | None) -> str:
    """Plain text of an HTML body, paragraphs on lines of their own."""
    if not markup:
        return ""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (SPACES.sub(" ", html.unescape(line)).strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
