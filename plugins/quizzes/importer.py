"""Questions from a spreadsheet (blueprint "quizzes", /quizzes/bank/import): a template to
download, every row checked with its own message ("Dòng 7: …"), nothing imported while any row
is wrong, and a re-import updating the questions it already brought in (matched by the "Mã câu"
number within the bank) instead of adding them again."""
from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select

from core.api import Choice, audit, can, db, files, refuse, render
from plugins.quizzes.access import ORGANISE, desks
from plugins.quizzes.forms import LETTERS, OPTION_SLOTS
from plugins.quizzes.models import MULTIPLE, SINGLE, QuizQuestion
from plugins.quizzes.views import bp

MAX_FILE = 5 * 2 ** 20
MAX_ROWS = 2000
HEADERS = ["Mã câu", "Chủ đề", "Mức độ (1-3)", "Câu hỏi", *[f"Đáp án {LETTERS[n]}" for n in range(OPTION_SLOTS)],
           "Đáp án đúng (vd: A hoặc A,C)", "Giải thích", "Nguồn"]
EXAMPLE = ["DL-001", "Đảng viên", 1, "Thời gian dự bị của đảng viên là bao lâu?", "6 tháng", "12 tháng", "18 tháng",
           "24 tháng", "", "", "B", "Người được kết nạp phải qua thời kỳ dự bị mười hai tháng.",
           "Điều lệ Đảng, Điều 5"]


class ImportForm(FlaskForm):
    org_id = Choice(_l("Question bank of"), coerce=int)
    file = FileField(_l("Excel (.xlsx) or CSV file"))


def _rows(stored) -> list[list]:
    with files.open(stored) as source:
        if stored.filename.lower().endswith(".csv") or stored.mimetype.startswith("text/"):
            text = source.read().decode("utf-8-sig")
            delimiter = ";" if text[:2000].count(";") > text[:2000].count(",") else ","
            return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)][:MAX_ROWS + 1]
        from openpyxl import load_workbook

        book = load_workbook(source, read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            found = []
            for cells in sheet.iter_rows(values_only=True):
                found.append(list(cells[:len(HEADERS)]))
                if len(found) > MAX_ROWS:
                    break
            return found
        finally:
            book.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse(rows: list[list]) -> tuple[list[dict], list[str]]:
    """The questions of the sheet (the header row first), and a message per wrong row."""
    questions, errors, seen = [], [], set()
    for number, cells in enumerate(rows[1:], 2):
        cells = [_text(c) for c in cells] + [""] * (len(HEADERS) - len(cells))
        if not any(cells):
            continue
        ref, topic, level, text = cells[0], cells[1], cells[2], cells[3]
        options = cells[4:4 + OPTION_SLOTS]
        right, why, source = cells[4 + OPTION_SLOTS], cells[5 + OPTION_SLOTS], cells[6 + OPTION_SLOTS]
        filled = [o for o in options if o]
        letters = [p.strip().upper() for p in right.replace(";", ",").split(",") if p.strip()]
        problems = []
        if not ref or len(ref) > 40:
            problems.append(_("the question number (Mã câu) is missing or longer than 40 characters"))
        elif ref in seen:
            problems.append(_("the question number %(ref)s appears twice", ref=ref))
        if not topic or len(topic) > 200:
            problems.append(_("the topic is missing or longer than 200 characters"))
        if level not in ("", "1", "2", "3"):
            problems.append(_("the difficulty must be 1, 2 or 3"))
        if not text:
            problems.append(_("the question is missing"))
        if len(filled) < 2 or options[:len(filled)] != filled:
            problems.append(_("write at least two answers, from A on, without a gap"))
        if not letters or any(l not in LETTERS[:len(filled)] for l in letters):
            problems.append(_("the right answer must be letters of the answers written, such as A or A,C"))
        if problems:
            errors.append(_("Row %(row)s: %(problems)s.", row=number, problems="; ".join(problems)))
            continue
        seen.add(ref)
        correct = sorted({LETTERS.index(l) for l in letters})
        questions.append({"ref": ref, "topic": topic, "difficulty": int(level or 1), "text": text, "options": filled,
                          "correct": correct, "kind": MULTIPLE if len(correct) > 1 else SINGLE,
                          "explanation": why, "source": source[:500]})
    if not questions and not errors:
        errors.append(_("The file has no questions below its header row."))
    return questions, errors


def store(org_id: int, questions: list[dict]) -> tuple[int, int]:
    """Add the new questions, update those already imported (same number in the same bank)."""
    existing = {q.ref: q for q in db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.org_id == org_id, QuizQuestion.ref.in_([q["ref"] for q in questions])))}
    added = updated = 0
    for row in questions:
        question = existing.get(row["ref"])
        if question is None:
            db.session.add(QuizQuestion(org_id=org_id, created_by_id=current_user.id, **row))
            added += 1
        else:
            for key, value in row.items():
                setattr(question, key, value)
            updated += 1
    return added, updated


@bp.route("/bank/import", methods=["GET", "POST"])
@login_required
def import_questions():
    """The organiser brings questions in from Excel or CSV; every wrong row is named, nothing half-imported."""
    orgs = desks()
    if not orgs:
        refuse("quizzes.import")
    form = ImportForm()
    form.org_id.choices = [(o.id, o.name) for o in orgs]
    errors: list[str] = []
    if request.method == "POST" and form.validate():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            errors.append(_("Please choose the file to import."))
        elif not can(current_user, ORGANISE, form.org_id.data):
            refuse(f"org:{form.org_id.data}")
        else:
            try:
                stored = files.save_upload(upload, namespace="quizzes", accept=("xlsx", "csv"), max_bytes=MAX_FILE,
                                           owner_id=current_user.id)
                questions, errors = parse(_rows(stored))
            except files.FileRejected as refused:
                errors.append(str(refused))
            except Exception:  # openpyxl raises many kinds on a damaged workbook
                errors.append(_("This file could not be read as a spreadsheet: save it again as .xlsx or CSV UTF-8."))
            if not errors:
                added, updated = store(form.org_id.data, questions)
                files.delete(stored)
                audit("quizzes.import", f"org:{form.org_id.data}", added=added, updated=updated)
                db.session.commit()
                flash(_("Imported: %(added)s new question(s), %(updated)s updated.", added=added, updated=updated),
                      "success")
                return redirect(url_for(".bank"))
            db.session.rollback()
    return render("quizzes/import.html", form=form, errors=errors, max_rows=MAX_ROWS,
                  status=400 if (errors or form.errors) else 200, private=True)


@bp.get("/bank/template.xlsx")
@login_required
def import_template():
    """The spreadsheet to fill: the columns in order, one example row."""
    if not desks():
        refuse("quizzes.template")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Cau hoi"
    sheet.append(HEADERS)
    sheet.append(EXAMPLE)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=mau-cau-hoi.xlsx",
                             "Cache-Control": "no-store"})
