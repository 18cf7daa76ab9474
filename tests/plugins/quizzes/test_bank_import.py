"""Questions imported from Excel or CSV: the template, a message per wrong row with nothing
imported, a re-import that updates instead of duplicating; and practice with immediate feedback."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.extensions import db
from plugins.quizzes.models import QuizQuestion
from tests.plugins.support import org_named

HEADER = ["Mã câu", "Chủ đề", "Mức độ (1-3)", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án D",
          "Đáp án E", "Đáp án F", "Đáp án đúng", "Giải thích", "Nguồn"]


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(visitor, org_id: int, data: bytes, name: str = "cau-hoi.xlsx"):
    return visitor.submit("/quizzes/bank/import", {"org_id": str(org_id), "file": (io.BytesIO(data), name)},
                          content_type="multipart/form-data")


def _count(app, org_id: int, **where) -> int:
    with app.app_context():
        stmt = select(func.count(QuizQuestion.id)).where(QuizQuestion.org_id == org_id)
        for key, value in where.items():
            stmt = stmt.where(getattr(QuizQuestion, key) == value)
        return db.session.scalar(stmt)


def test_the_template_downloads_with_its_columns(as_role):
    response = as_role("district_admin").get("/quizzes/bank/template.xlsx")
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert header[0] == "Mã câu" and "Đáp án A" in header
    assert as_role("member").get("/quizzes/bank/template.xlsx").status_code == 404


def test_an_import_then_a_reimport_updates_instead_of_duplicating(app, as_role, accounts):
    admin = as_role("district_admin")
    district = org_named(app, accounts["district_admin"]["org"]).id
    rows = [["XA-01", "Chi bộ", 1, "Chi bộ họp thường kỳ mấy tháng một lần?", "Một tháng", "Hai tháng", "", "", "", "",
             "A", "Mỗi tháng một lần.", "Điều lệ Đảng, Điều 24"],
            ["XA-02", "Kỷ luật", 2, "Hình thức kỷ luật đảng viên dự bị?", "Khiển trách", "Cảnh cáo", "Khai trừ", "",
             "", "", "A,B", "", ""]]
    response = _import(admin, district, _xlsx(rows))
    assert response.status_code == 302
    assert "2 câu hỏi mới" in admin.text("/quizzes/bank")
    rows[0][3] = "Chi bộ sinh hoạt thường kỳ bao lâu một lần?"
    assert _import(admin, district, _xlsx(rows)).status_code == 302
    assert _count(app, district) == 2
    assert _count(app, district, ref="XA-01", text="Chi bộ sinh hoạt thường kỳ bao lâu một lần?") == 1
    assert _count(app, district, ref="XA-02", kind="multiple") == 1


def test_wrong_rows_are_named_and_nothing_is_imported(app, as_role, accounts):
    admin = as_role("district_admin")
    district = org_named(app, accounts["district_admin"]["org"]).id
    rows = [["XB-01", "Chi bộ", 1, "Câu đúng", "Có", "Không", "", "", "", "", "A", "", ""],
            ["XB-02", "Chi bộ", 5, "Mức độ sai", "Có", "Không", "", "", "", "", "A", "", ""],
            ["XB-03", "Chi bộ", 1, "Đáp án đúng không có", "Có", "Không", "", "", "", "", "D", "", ""]]
    response = _import(admin, district, _xlsx(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dòng 3:" in page and "Dòng 4:" in page and "Dòng 2:" not in page
    assert _count(app, district) == 0


def test_a_csv_in_utf8_with_semicolons_imports_and_a_disguised_file_is_refused(app, as_role, accounts):
    admin = as_role("district_admin")
    district = org_named(app, accounts["district_admin"]["org"]).id
    text = ";".join(HEADER) + "\nXC-01;Chi bộ;1;Người vào Đảng phải đủ bao nhiêu tuổi?;18;16;;;;;A;;\n"
    assert _import(admin, district, ("\ufeff" + text).encode(), "cau-hoi.csv").status_code == 302
    assert _count(app, district) == 1
    response = _import(admin, district, b"MZ\x90\x00 not a workbook", "cau-hoi.xlsx")
    assert response.status_code == 400 and _count(app, district) == 1


def test_another_provinces_bank_is_out_of_reach(app, as_role, accounts):
    other = org_named(app, accounts["other_province_admin"]["org"]).id
    response = _import(as_role("district_admin"), other, _xlsx([["XD-01", "A", 1, "B", "C", "D", "", "", "", "", "A",
                                                                  "", ""]]))
    assert response.status_code == 400 and "chọn trong danh sách" in response.get_data(as_text=True)
    assert _count(app, other) == 0


def test_a_member_practises_and_is_told_at_once(app, as_role):
    member = as_role("member")
    page = member.text("/quizzes/practice")
    assert "Kiểm tra đáp án" in page
    import re

    qid = int(re.search(r'name="question" value="(\d+)"', page).group(1))
    with app.app_context():
        question = db.session.get(QuizQuestion, qid)
        right, explanation = question.correct, question.explanation
    response = member.submit("/quizzes/practice", {"question": str(qid), f"q{qid}": [str(c) for c in right]})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đúng rồi!" in text and explanation in text
    response = member.submit("/quizzes/practice", {"question": str(qid)})
    assert response.status_code == 400 and "Đồng chí hãy chọn một đáp án." in response.get_data(as_text=True)
    assert member.submit("/quizzes/practice", {"question": "999999", "q999999": "0"}).status_code == 404
    assert member.submit("/quizzes/practice", {}).status_code == 400  # no question at all: a new one
