"""Importing members from an Excel/CSV export: dry run, apply, re-import, hostile files, access."""
from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.jobs import JobRecord
from core.org.models import Member, MemberEvent, Organisation

START = "/members/import/"
HEADER = ["STT", "Họ và tên", "Số thẻ đảng viên", "Ngày sinh", "Giới tính", "Ngày vào Đảng",
          "Ngày chính thức", "Chi bộ", "Trạng thái", "Số điện thoại"]


# --- helpers: files made in the test, and a browser-like visitor -----------------------------

def csv_bytes(rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER, title_rows=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for title in title_rows:
        sheet.append(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(n, branch, card=None, **changes):
    """A row in HEADER order for a made-up member number n."""
    values = {"name": f"Nguyễn Văn Nhập {n}", "card": card if card is not None else f"88{n:06d}",
              "born": "02/03/1970", "gender": "Nam", "admitted": "19/05/1995", "official": "19/05/1996",
              "branch": branch, "status": "Chính thức", "phone": f"0987{n:06d}", **changes}
    return [n, values["name"], values["card"], values["born"], values["gender"], values["admitted"],
            values["official"], values["branch"], values["status"], values["phone"]]


def upload(visitor, org_id, data: bytes, filename="danh-sach.csv"):
    return visitor.submit(START, {"org_id": str(org_id), "file": (io.BytesIO(data), filename)},
                          form_page=START, content_type="multipart/form-data")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def preview(visitor, org_id, data, filename="danh-sach.csv"):
    """Upload and follow to the preview; returns (preview url, its text)."""
    response = upload(visitor, org_id, data, filename)
    assert response.status_code == 302, page_text(response)[:3000]
    url = response.headers["Location"]
    return url, page_text(visitor.get(url))


def apply(visitor, url) -> str:
    token = re.search(r'name="token" value="([0-9a-f]{32})"', visitor.text(url)).group(1)
    response = visitor.submit("/members/import/apply", {"token": token}, form_page=url)
    assert response.status_code == 302
    return page_text(visitor.get(response.headers["Location"]))


def count(text: str, label: str) -> int:
    return int(re.search(re.escape(label) + r"</th><td>(\d+)</td>", text).group(1))


@pytest.fixture
def tree(app, accounts):
    """Ids and names: the grassroots org with branches A and B, the provinces, another-province branch."""
    with app.app_context():
        def org(name):
            return db.session.scalar(select(Organisation).where(Organisation.name == name))

        a, b = org(accounts["secretary"]["org"]), org(accounts["secretary_other_branch"]["org"])
        other_province = org(accounts["other_province_admin"]["org"])
        other_branch = db.session.scalar(select(Organisation).where(
            Organisation.province_id == other_province.id, Organisation.level == "branch"))
        known = db.session.scalar(select(Member).where(Member.org_id == a.id,
                                                       Member.card_number.is_not(None)))
        return {"grassroots": a.parent_id, "a": a.id, "a_name": a.name, "b": b.id, "b_name": b.name,
                "province": a.province_id, "other_province": other_province.id,
                "other_branch_name": other_branch.name, "known_card": known.card_number,
                "known_name": known.full_name, "known_id": known.id,
                "known_born": known.birth_date.strftime("%d/%m/%Y")}


def members(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


# --- the story: dry run, apply, re-import -----------------------------------------------------

def test_dry_run_shows_counts_and_row_errors_and_writes_nothing(app, as_role, tree):
    admin = as_role("province_admin")
    rows = [person(1, tree["a_name"]), person(2, tree["b_name"]),
            person(3, tree["a_name"], admitted="31/02/1990"),
            person(4, tree["a_name"], name=tree["known_name"], card=tree["known_card"], phone="0911222333",
                   born=tree["known_born"])]
    before, events = members(app), None
    with app.app_context():
        events = db.session.scalar(select(func.count(MemberEvent.id)))
    url, text = preview(admin, tree["grassroots"], csv_bytes(rows))
    assert "Kiểm tra trước khi nhập" in text
    assert count(text, "Sẽ thêm mới") == 2
    assert count(text, "Sẽ cập nhật") == 1
    assert count(text, "Dòng có lỗi (bỏ qua)") == 1
    assert "Dòng 4: ngày vào Đảng không hợp lệ '31/02/1990'" in text  # row 1 is the header
    assert "Nguyễn Văn Nhập 1" in text  # the first new members
    updates = page_text(admin.get(url + "?list=updated"))
    assert "số điện thoại" in updates and "0911222333" in updates  # what changes, old → new
    assert members(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(MemberEvent.id))) == events
        assert db.session.get(Member, tree["known_id"]).phone != "0911222333"


def test_apply_creates_members_in_the_right_branches(app, as_role, tree):
    admin = as_role("province_admin")
    rows = [person(1, tree["a_name"]), person(2, tree["b_name"].upper()),  # case does not matter
            person(3, "Chi bộ không có thật")]
    before = members(app)
    url, _ = preview(admin, tree["grassroots"], csv_bytes(rows))
    text = apply(admin, url)
    assert "Đã nhập xong" in text and "Đã bỏ qua 1 dòng có lỗi." in text
    assert members(app) == before + 2
    with app.app_context():
        by_card = {m.card_number: m for m in db.session.scalars(
            select(Member).where(Member.card_number.in_(["88000001", "88000002"])))}
        assert by_card["88000001"].org_id == tree["a"] and by_card["88000002"].org_id == tree["b"]
        assert by_card["88000001"].birth_date == date(1970, 3, 2)
        assert by_card["88000001"].kind == "official" and by_card["88000001"].gender == "nam"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "members.import"))
        assert entry.detail == {"rows": 3, "new": 2, "updated": 0, "unchanged": 0, "conflicts": 0, "errors": 1}
        assert "Nhập" not in str(entry.detail)  # counts only, no personal data
    # The uploaded list is not kept once applied.
    assert not list(Path(app.instance_path, "imports").glob("*.csv"))


def test_reimport_of_the_same_file_changes_nothing(app, as_role, tree):
    admin = as_role("province_admin")
    data = csv_bytes([person(1, tree["a_name"]), person(2, tree["b_name"]),
                      person(3, tree["a_name"], card="", status="Dự bị", official="")])
    url, _ = preview(admin, tree["grassroots"], data)
    apply(admin, url)
    before = members(app)
    url, text = preview(admin, tree["grassroots"], data)
    assert count(text, "Sẽ thêm mới") == 0 and count(text, "Sẽ cập nhật") == 0
    assert count(text, "Không thay đổi") == 3  # the probationary member found by name+birth+branch
    assert "Tệp này không có gì để nhập." in text
    assert members(app) == before


def test_reimport_with_changed_phone_and_branch_updates_and_records_a_transfer(app, as_role, tree):
    admin = as_role("province_admin")
    url, _ = preview(admin, tree["grassroots"], csv_bytes([person(1, tree["a_name"])]))
    apply(admin, url)
    before = members(app)
    url, text = preview(admin, tree["grassroots"],
                        csv_bytes([person(1, tree["b_name"], phone="0912 345 678", status="Miễn sinh hoạt")]))
    assert count(text, "Sẽ cập nhật") == 1
    updates = page_text(admin.get(url + "?list=updated"))
    assert f"chi bộ: {tree['a_name']} → <strong>{tree['b_name']}</strong>" in updates
    assert "Đang sinh hoạt → <strong>Miễn sinh hoạt</strong>" in updates
    text = apply(admin, url)
    assert "cập nhật 1 đảng viên" in text
    assert members(app) == before
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.card_number == "88000001"))
        assert (member.org_id, member.phone, member.status) == (tree["b"], "0912345678", "exempt")
        kinds = {e.kind: e for e in db.session.scalars(select(MemberEvent).where(
            MemberEvent.member_id == member.id))}
        assert kinds["transfer"].from_org_id == tree["a"] and kinds["transfer"].to_org_id == tree["b"]
        assert kinds["exempt"].value == "exempt" and "admitted" in kinds


def test_probationary_member_later_given_a_card_is_updated_not_duplicated(app, as_role, tree):
    admin = as_role("province_admin")
    url, _ = preview(admin, tree["grassroots"], csv_bytes(
        [person(5, tree["a_name"], card="", status="Dự bị", official="")]))
    apply(admin, url)
    before = members(app)
    url, text = preview(admin, tree["grassroots"], csv_bytes([person(5, tree["a_name"], card="88000005")]))
    assert count(text, "Sẽ cập nhật") == 1
    apply(admin, url)
    assert members(app) == before
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.card_number == "88000005"))
        assert member.kind == "official" and member.official_date == date(1996, 5, 19)
        assert db.session.scalar(select(MemberEvent.kind).where(
            MemberEvent.member_id == member.id, MemberEvent.kind == "official")) == "official"


def test_pressing_apply_twice_imports_once(app, as_role, tree):
    admin = as_role("province_admin")
    url, _ = preview(admin, tree["grassroots"], csv_bytes([person(1, tree["a_name"])]))
    token = re.search(r'value="([0-9a-f]{32})"', admin.text(url)).group(1)
    before = members(app)
    first = admin.submit("/members/import/apply", {"token": token}, form_page=url)
    again = admin.submit("/members/import/apply", {"token": token}, form_page=url)
    assert first.status_code == again.status_code == 302
    assert members(app) == before + 1


def test_errors_within_the_file_are_reported_per_row(as_role, tree):
    admin = as_role("province_admin")
    rows = [person(1, tree["a_name"]), person(2, tree["a_name"], card="88000001"),
            person(3, tree["a_name"], born="1970"), person(4, tree["a_name"], status="Đang công tác"),
            person(5, tree["a_name"], name=""), person(6, tree["a_name"], phone="abc"),
            person(7, tree["a_name"], card=tree["known_card"][:-1] + "x"),
            person(8, tree["a_name"], admitted="01/01/1960"),
            person(9, tree["a_name"], official="01/12/1995")]
    _, text = preview(admin, tree["grassroots"], csv_bytes(rows))
    assert "Dòng 3: số thẻ 88000001 đã có ở dòng 2" in text
    assert "Dòng 4: ngày sinh không hợp lệ '1970'" in text
    assert "Dòng 5: trạng thái 'Đang công tác' không hợp lệ" in text
    assert "Dòng 6: thiếu họ và tên" in text
    assert "Dòng 7: số điện thoại không hợp lệ 'abc'" in text
    assert "Dòng 8:" in text
    assert "Dòng 9: ngày vào Đảng không sau ngày sinh" in text
    assert "Dòng 10: thời gian dự bị là 12 tháng: ngày chính thức phải từ 19/05/1996 trở đi" in text
    assert count(text, "Sẽ thêm mới") == 1


def test_branches_of_another_province_are_not_matched(app, as_role, tree):
    admin = as_role("province_admin")
    before = members(app)
    url, text = preview(admin, tree["province"], csv_bytes([
        person(1, tree["other_branch_name"]), person(2, tree["a_name"][:-1])]))
    assert f"Dòng 2: chi bộ '{tree['other_branch_name']}' không thuộc" in text
    assert f"có phải là: {tree['a_name']}" in text  # the nearest names are offered
    assert count(text, "Sẽ thêm mới") == 0
    assert "Tệp này không có gì để nhập." in text
    assert members(app) == before


def test_card_of_a_member_outside_the_scope_is_an_error(app, as_role, tree, accounts):
    admin = as_role("other_province_admin")
    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(
            Organisation.province_id == tree["other_province"], Organisation.level == "branch"))
    _, text = preview(admin, branch.id, csv_bytes([person(1, branch.name, card=tree["known_card"])]))
    assert "Số thẻ này đã có trong hệ thống" in text and tree["known_name"] not in text
    with app.app_context():
        assert db.session.get(Member, tree["known_id"]).org_id == tree["a"]


# --- Excel files ---------------------------------------------------------------------------------

def test_xlsx_with_title_rows_excel_dates_and_numbers(app, as_role, tree):
    admin = as_role("grassroots_admin")
    header = ["HỌ VÀ TÊN (*)", "Số thẻ", "Ngày  sinh", "Ngày vào Đảng", "Chi bộ", "Điện thoại", "Quê quán"]
    rows = [["TRẦN THỊ EXCEL", 88000011, datetime(1980, 1, 2), "05/06/2005", tree["a_name"], 912345678, "Thái Nguyên"],
            ["=HYPERLINK(\"http://x\",\"Bấm\")", "88000012", date(1981, 2, 3), 38000, tree["b_name"], "+84 987 000 111", ""],
            [None, None, None, None, None, None, None],
            ["@Lê Văn Công", "88000013", None, "1/2/2003", tree["b_name"], "-", ""]]
    url, text = preview(admin, tree["grassroots"], xlsx_bytes(rows, header, [["DANH SÁCH ĐẢNG VIÊN"], []]),
                        filename="export.xlsx")
    assert "Quê quán" in text  # an unrecognised column is named, not silently dropped
    assert "Dòng 7: số điện thoại không hợp lệ '-'" in text
    assert count(text, "Sẽ thêm mới") == 2
    apply(admin, url)
    with app.app_context():
        first = db.session.scalar(select(Member).where(Member.card_number == "88000011"))
        assert (first.full_name, first.birth_date, first.phone) == ("Trần Thị Excel", date(1980, 1, 2), "0912345678")
        assert first.admission_date == date(2005, 6, 5) and first.org_id == tree["a"]
        formula = db.session.scalar(select(Member).where(Member.card_number == "88000012"))
        # A formula is stored as the text it is, never evaluated.
        assert formula.full_name == '=HYPERLINK("http://x","Bấm")' and formula.phone == "0987000111"
        assert formula.admission_date == date(2004, 1, 14)  # Excel day number 38000


def test_semicolon_csv_with_bom_and_headers_without_diacritics(app, as_role, tree):
    admin = as_role("province_admin")
    header = ["HO VA TEN", "SO THE", "NGAY SINH", "CHI BO", "TINH TRANG"]
    data = csv_bytes([["Phạm Văn Chấm Phẩy", "88000021", "1975-04-30", tree["a_name"], "Khai trừ"]],
                     header=header, delimiter=";", bom=True)
    url, text = preview(admin, tree["grassroots"], data, filename="ds.txt")
    assert count(text, "Sẽ thêm mới") == 1
    apply(admin, url)
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.card_number == "88000021"))
        assert member.full_name == "Phạm Văn Chấm Phẩy" and member.status == "expelled"


def test_import_into_a_branch_needs_no_branch_column(app, as_role, tree):
    admin = as_role("grassroots_admin")
    data = csv_bytes([["Đỗ Thị Một Chi Bộ", "88000031"]], header=["Họ tên", "Số thẻ"])
    url, _ = preview(admin, tree["b"], data)
    apply(admin, url)
    with app.app_context():
        assert db.session.scalar(select(Member.org_id).where(Member.card_number == "88000031")) == tree["b"]
    response = upload(admin, tree["grassroots"], data)
    assert response.status_code == 400 and "không có cột “Chi bộ”" in page_text(response)


# --- hostile and broken files ----------------------------------------------------------------------

def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 2 ** 20))
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def broken_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really")
    return out.getvalue()


@pytest.mark.parametrize("data, filename, message", [
    (b"", "empty.csv", "Tệp trống."),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "photo.xlsx", "không phải tệp Excel (.xlsx) hay tệp CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old.xls", "Excel đời cũ (.xls)"),
    (plain_zip(), "archive.xlsx", "tệp nén ZIP, không phải tệp Excel"),
    (broken_xlsx(), "broken.xlsx", "Không đọc được tệp Excel"),
    (zip_bomb(), "bomb.xlsx", "giải nén ra dữ liệu lớn bất thường"),
    (b"ten\nAn\nBinh\n", "one-column.csv", "Không tìm thấy dòng tiêu đề"),
    ("Ho va ten,So the\nNguyen Van Á,46000001\n".encode("cp1252"), "ansi.csv", "lưu dạng UTF-8"),
    ("Họ và tên,Số thẻ\n".encode("utf-16"), "unicode.csv", "lưu dạng UTF-8"),
    ("Họ và tên,Số thẻ,Chi bộ\n\"".encode() + b"x" * 200_000 + b"\",1,2\n", "huge.csv", "ô quá dài"),
])
def test_bad_files_are_refused_with_a_vietnamese_message(app, as_role, tree, data, filename, message):
    admin = as_role("province_admin")
    before = members(app)
    response = upload(admin, tree["grassroots"], data, filename)
    assert response.status_code == 400
    assert message in page_text(response)
    assert members(app) == before


def test_missing_file_and_limits_on_size_and_rows(app, as_role, tree):
    admin = as_role("province_admin")
    response = admin.submit(START, {"org_id": str(tree["grassroots"])}, form_page=START)
    assert response.status_code == 400 and "vui lòng chọn tệp" in page_text(response)
    app.config.update(IMPORT_MAX_BYTES=2000, IMPORT_MAX_ROWS=30)
    rows = [person(n, tree["a_name"]) for n in range(1, 40)]
    response = upload(admin, tree["grassroots"], csv_bytes(rows))
    assert response.status_code == 400 and "Tệp lớn hơn 0 MB" in page_text(response)
    app.config.update(IMPORT_MAX_BYTES=10 ** 6)
    response = upload(admin, tree["grassroots"], csv_bytes(rows))
    assert response.status_code == 400 and "Tệp có hơn 30 dòng" in page_text(response)
    app.config.update(MAX_CONTENT_LENGTH=3000)  # the app-wide limit answers before the form
    response = upload(admin, tree["grassroots"], csv_bytes(rows))
    assert response.status_code == 413 and "Tệp quá lớn" in page_text(response)
    assert not list(Path(app.instance_path, "imports").glob("*.csv"))  # nothing refused is kept


def test_cancel_deletes_the_uploaded_file(app, as_role, tree):
    admin = as_role("province_admin")
    url, _ = preview(admin, tree["grassroots"], csv_bytes([person(1, tree["a_name"])]))
    token = re.search(r'name="token" value="([0-9a-f]{32})"', admin.text(url)).group(1)
    response = admin.submit("/members/import/discard", {"token": token}, form_page=url)
    assert response.status_code == 302
    assert "không có gì được nhập" in page_text(admin.get(response.headers["Location"]))
    assert not list(Path(app.instance_path, "imports").glob(token + "*"))
    assert admin.get(url).status_code == 404


def test_huge_cells_and_formula_looking_names_are_row_errors_not_crashes(as_role, tree):
    admin = as_role("province_admin")
    rows = [person(1, tree["a_name"], name="A" * 5000), person(2, tree["a_name"], name="=1+2"),
            person(3, "x" * 5000), person(4, tree["a_name"], name="+Nguyễn Văn Cộng")]
    _, text = preview(admin, tree["grassroots"], csv_bytes(rows))
    assert "Dòng 2: họ và tên không hợp lệ 'AAAA" in text
    assert "Dòng 3: họ và tên không hợp lệ '=1+2'" in text
    assert "Dòng 4: chi bộ 'xxxx" in text
    assert count(text, "Sẽ thêm mới") == 1  # "+Nguyễn Văn Cộng" is kept as text


# --- access ----------------------------------------------------------------------------------------

def test_a_large_province_lists_the_higher_levels_and_finds_the_rest_by_name(as_role, tree, app, monkeypatch):
    """At 5,000 branches the list would weigh more than the page: only the levels above
    grassroots are listed, and a branch is found by its name, typed without diacritics."""
    from core.members import import_views
    from core.text import fold

    with app.app_context():
        orgs = db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.province_id == tree["province"]))
        grassroots = db.session.get(Organisation, tree["grassroots"]).name
    monkeypatch.setattr(import_views, "MAX_CHOICES", orgs // 4)  # this demo is small
    admin = as_role("province_admin")
    page = page_text(admin.get(START))
    assert "Tìm tổ chức theo tên" in page
    assert f'value="{tree["province"]}"' in page and f'value="{tree["a"]}"' not in page
    assert grassroots not in page
    found = page_text(admin.get(START + "?q=" + fold(tree["a_name"]).split()[-1]))
    assert f'value="{tree["a"]}"' in found and tree["a_name"] in found
    assert "Không có tổ chức nào" in page_text(admin.get(START + "?q=khong co noi nay"))
    # Chosen from the search, the branch takes the file as before.
    _url, text = preview(admin, tree["a"], csv_bytes([person(1, "")]))
    assert count(text, "Sẽ thêm mới") == 1


def test_district_admin_cannot_import_into_another_province(as_role, tree):
    admin = as_role("district_admin")
    assert admin.get(START).status_code == 200
    response = upload(admin, tree["other_province"], csv_bytes([person(1, tree["other_branch_name"])]))
    assert response.status_code == 404
    response = upload(admin, tree["province"], csv_bytes([person(1, tree["a_name"])]))
    assert response.status_code == 404  # above the district: outside the scope too


def test_an_upload_is_seen_and_applied_only_by_its_owner(app, as_role, tree):
    owner = as_role("province_admin")
    url, _ = preview(owner, tree["grassroots"], csv_bytes([person(1, tree["a_name"])]))
    token = url.rstrip("/").rsplit("/", 1)[1]
    before = members(app)
    for role in ("grassroots_admin", "other_province_admin"):
        stranger = as_role(role)
        assert stranger.get(url).status_code == 404
        response = stranger.submit("/members/import/apply", {"token": token}, form_page=START)
        assert response.status_code == 404
    response = owner.submit("/members/import/apply", {"token": "../../secret_key"}, form_page=url)
    assert response.status_code == 404
    assert members(app) == before


@pytest.mark.parametrize("role", ["secretary", "member", "family_helper"])
def test_secretaries_and_members_get_404(as_role, tree, role):
    person_ = as_role(role)
    assert person_.get(START).status_code == 404
    response = upload(person_, tree["a"], csv_bytes([person(1, tree["a_name"])]))
    assert response.status_code == 404


def test_the_menu_offers_import_to_admins_only(as_role):
    assert "/members/import/" in as_role("province_admin").text("/manage")
    assert "/members/import/" not in as_role("secretary").text("/manage")


# --- large files go through core.jobs ----------------------------------------------------------------

def test_a_large_file_is_checked_and_applied_as_a_job(app, as_role, tree):
    from core.members.importing import import_jobs
    from core.plugins import host

    # What the core's register_jobs hook will do once it returns import_jobs().
    host(app).jobs.update({job.name: job for job in import_jobs()})
    app.config.update(IMPORT_JOB_ROWS=5, REDIS_URL="")  # jobs run in-process, eagerly, in tests
    admin = as_role("province_admin")
    rows = [person(n, tree["a_name"] if n % 2 else tree["b_name"]) for n in range(1, 13)]
    before = members(app)
    url, text = preview(admin, tree["grassroots"], csv_bytes(rows))
    assert count(text, "Sẽ thêm mới") == 12 and members(app) == before
    text = apply(admin, url)
    assert "Đã nhập xong" in text and members(app) == before + 12
    with app.app_context():
        records = list(db.session.scalars(select(JobRecord).where(JobRecord.name.like("core.members.import%"))))
        assert {r.name for r in records} == {"core.members.import_check", "core.members.import_apply"}
        assert all(r.status == "finished" and r.result["new"] == 12 for r in records)
        job_ids = {r.name: r.id for r in records}
    for name, title in (("core.members.import_check", "Kiểm tra tệp danh sách đảng viên"),
                        ("core.members.import_apply", "Nhập danh sách đảng viên")):
        page = admin.text(f"/jobs/{job_ids[name]}")
        assert admin.last.status_code == 200 and f"<h1>{title}</h1>" in page
        state = re.search(r'<p class="job-state">(.*?)</p>', page, re.S).group(1).strip()
        # One sentence after another, and no "80% of the rows" under a full bar.
        assert state.startswith("Đã xong.") and not re.search(r"\.\S", state), state
        assert not re.search(r"[1-9]?\d% số dòng", state), state
    mine = admin.text("/jobs/")
    assert "Việc đang chạy" in mine and "Nhập danh sách đảng viên" in mine and "import" not in mine.split("<main")[1]


def test_pages_stay_within_the_weight_budget_and_are_not_cached(as_role, tree):
    import gzip

    admin = as_role("province_admin")
    rows = [person(n, "Chi bộ số " + "x" * 60 + str(n)) for n in range(1, 200)]
    rows += [person(n, tree["a_name"]) for n in range(200, 260)]
    url, text = preview(admin, tree["grassroots"], csv_bytes(rows))
    for page in (START, url, url + "?page=3", url + "?page=-4"):
        response = admin.get(page)
        assert response.status_code == 200
        assert len(gzip.compress(response.get_data())) <= 14 * 1024
        assert response.headers["Cache-Control"] == "no-store"
    assert "Trang 3" in page_text(admin.get(url + "?page=3"))
