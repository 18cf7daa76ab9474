"""An import changes members the way the forms do, never someone it was not meant for, and can be
undone (security findings 3, 4, 5 and 13)."""
from __future__ import annotations

import gzip
import re
from datetime import date

from sqlalchemy import func, select

from core.audit import AuditEntry
from core.auth.models import ResetRequest, User, UserSession
from core.extensions import db
from core.members.batches import MemberImport
from core.org.models import Member, MemberEvent, OrgClosure, Organisation
from tests.core.test_import import apply, count, csv_bytes, page_text, person, preview, tree  # noqa: F401
from tests.support import Visitor, csrf_from, local_today


def dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def row_for(app, login: str, n: int, branch: str, **changes):
    """A row of the file describing the member behind `login` as the database knows them."""
    with app.app_context():
        member = db.session.scalar(select(User).where(User.login == login)).member
        values = {"name": member.full_name, "card": member.card_number, "born": dmy(member.birth_date),
                  "gender": "", "admitted": dmy(member.admission_date), "official": dmy(member.official_date),
                  "phone": "", **changes}
        return person(n, branch, **values), member.id


def snapshot(app, member_id: int) -> tuple:
    with app.app_context():
        m = db.session.get(Member, member_id)
        return m.full_name, m.card_number, m.birth_date, m.phone, m.org_id, m.status


def undo(visitor: Visitor, batch_id: int):
    page = f"/members/import/batches/{batch_id}"
    return visitor.client.post(f"{page}/undo", data={"csrf_token": csrf_from(visitor.text(page))})


def last_batch(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(MemberImport.id)))


# --- finding 3: a status from the file goes through the lifecycle ------------------------------

def test_an_import_that_expels_a_member_closes_the_accounts_and_ends_the_sessions(app, as_role, accounts, tree):
    member, helper = as_role("member"), as_role("family_helper")
    assert member.get("/").status_code == helper.get("/").status_code == 200
    row, member_id = row_for(app, accounts["member"]["login"], 1, tree["a_name"], status="Khai trừ")
    url, text = preview(as_role("province_admin"), tree["grassroots"], csv_bytes([row]))
    assert count(text, "Sẽ cập nhật") == 1
    apply(as_role("province_admin"), url)
    assert member.get("/").status_code == 302 and helper.get("/").status_code == 302  # signed out at once
    with app.app_context():
        users = db.session.scalars(select(User).where(
            (User.member_id == member_id) | (User.helped_member_id == member_id))).all()
        assert len(users) == 2 and not any(u.is_enabled for u in users)
        assert not db.session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id.in_([u.id for u in users]), UserSession.revoked_at.is_(None)))
        event = db.session.scalar(select(MemberEvent).where(MemberEvent.member_id == member_id,
                                                            MemberEvent.kind == "expelled"))
        assert event.on_date == local_today() and event.value == "expelled"
    response = Visitor(app.test_client()).submit("/login", accounts["member"])
    assert response.status_code == 401


# --- finding 4: a transfer from the file takes the waiting request along ------------------------

def test_an_import_that_moves_a_member_moves_the_waiting_password_request(app, as_role, accounts, tree):
    asker = Visitor(app.test_client())
    assert asker.submit("/forgot", {"login": accounts["member"]["login"]}).status_code == 302
    row, member_id = row_for(app, accounts["member"]["login"], 1, tree["b_name"])
    admin = as_role("province_admin")
    url, _text = preview(admin, tree["grassroots"], csv_bytes([row]))
    apply(admin, url)
    with app.app_context():
        reset = db.session.scalar(select(ResetRequest).where(ResetRequest.member_id == member_id))
        assert reset.org_id == tree["b"] and reset.status == "open"
        assert db.session.get(Member, member_id).org_id == tree["b"]
        reset_id = reset.id
    old_secretary = as_role("secretary")
    assert f"/members/resets/{reset_id}/code" not in old_secretary.text("/members/resets")
    took = old_secretary.client.post(f"/members/resets/{reset_id}/code",
                                     data={"csrf_token": csrf_from(old_secretary.text("/members/resets"))})
    assert took.status_code == 404
    assert f"/members/resets/{reset_id}/code" in as_role("secretary_other_branch").text("/members/resets")


# --- finding 5: another person's card number is a conflict --------------------------------------

def test_a_row_with_someone_elses_card_is_a_conflict_and_changes_nothing_of_him(app, as_role, accounts, tree):
    with app.app_context():
        secretary = db.session.scalar(select(User).where(User.login == accounts["secretary"]["login"])).member
        card, name, born = secretary.card_number, secretary.full_name, secretary.birth_date
        secretary_id = secretary.id
    before = snapshot(app, secretary_id)
    typo, member_id = row_for(app, accounts["member"]["login"], 2, tree["a_name"], phone="0987654321")
    typo[1] = typo[1][:-1] + ("x" if typo[1][-1] != "x" else "y")  # one letter typed wrong: same person
    wrong = person(1, tree["b_name"], name="Trần Văn Khác Hẳn", card=card, born="01/01/1988", phone="0911000999")
    admin = as_role("province_admin")
    url, text = preview(admin, tree["grassroots"], csv_bytes([wrong, typo]))
    assert count(text, "Số thẻ của người khác (bỏ qua)") == 1 and count(text, "Sẽ cập nhật") == 1
    conflicts = page_text(admin.get(url + "?list=conflict"))
    assert "Trần Văn Khác Hẳn" in conflicts and name in conflicts and dmy(born) in conflicts
    apply(admin, url)
    assert snapshot(app, secretary_id) == before
    assert snapshot(app, member_id)[3] == "0987654321"


def test_the_preview_lists_every_update_a_page_at_a_time(app, as_role, tree):
    admin = as_role("province_admin")
    rows = [person(n, tree["a_name"]) for n in range(1, 31)]
    url, _text = preview(admin, tree["grassroots"], csv_bytes(rows))
    apply(admin, url)
    changed = [person(n, tree["a_name"], phone=f"0977{n:06d}") for n in range(1, 31)]
    url, text = preview(admin, tree["grassroots"], csv_bytes(changed))
    assert count(text, "Sẽ cập nhật") == 30
    first, second = page_text(admin.get(url + "?list=updated")), page_text(admin.get(url + "?list=updated&page=2"))
    assert len(gzip.compress(admin.get(url + "?list=updated").get_data())) <= 14 * 1024
    listed = re.findall(r"Nguyễn Văn Nhập (\d+)</a>", first) + re.findall(r"Nguyễn Văn Nhập (\d+)</a>", second)
    assert sorted(map(int, listed)) == list(range(1, 31)) and len(re.findall("Nhập \\d+</a>", first)) == 25
    assert "0987000030 → <strong>0977000030</strong>" in second
    assert "Trang 2" in second
    # A page of 25 updates, and the applied batch's page, stay within a phone's budget.
    apply(admin, url)
    for page in (url, f"/members/import/batches/{last_batch(app)}"):
        response = admin.get(page)
        assert response.status_code == 200 and len(gzip.compress(response.get_data())) <= 14 * 1024


# --- undo ---------------------------------------------------------------------------------------

def test_undo_puts_things_back_and_a_retried_undo_is_harmless(app, as_role, accounts, tree):
    admin = as_role("province_admin")
    moved, member_id = row_for(app, accounts["member"]["login"], 1, tree["b_name"], phone="0966000111",
                               status="Miễn sinh hoạt")
    before = snapshot(app, member_id)
    url, _text = preview(admin, tree["grassroots"], csv_bytes([moved, person(2, tree["a_name"]),
                                                               person(3, tree["a_name"])]))
    apply(admin, url)
    batch_id = last_batch(app)
    assert f"/members/import/batches/{batch_id}" in admin.text(url)
    # Meanwhile member 3 asked for a password: the import may not take that record away.
    assert Visitor(app.test_client()).submit("/forgot", {"login": "88000003"}).status_code == 302
    assert snapshot(app, member_id)[4:] == (tree["b"], "exempt")
    first = undo(admin, batch_id)
    assert first.status_code == 302
    page = page_text(admin.get(first.headers["Location"]))
    assert "1 đảng viên được khôi phục, 1 đảng viên đã thêm được xóa" in page
    assert "Nguyễn Văn Nhập 3" in page  # kept, and said so
    assert snapshot(app, member_id) == before
    again = undo(admin, batch_id)
    assert again.status_code == 302 and "đã được hoàn tác rồi" in page_text(admin.get(again.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(Member.id).where(Member.card_number == "88000002")) is None
        assert db.session.scalar(select(Member.id).where(Member.card_number == "88000003")) is not None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "members.import.undone")) == 1
        kinds = [e.kind for e in db.session.scalars(select(MemberEvent).where(
            MemberEvent.member_id == member_id).order_by(MemberEvent.id))]
        assert kinds[-4:] == ["transfer", "exempt", "transfer", "reinstated"]


def test_undo_leaves_what_was_corrected_since(app, as_role, accounts, tree):
    admin = as_role("province_admin")
    row, member_id = row_for(app, accounts["member"]["login"], 1, tree["a_name"], phone="0966000111")
    url, _text = preview(admin, tree["grassroots"], csv_bytes([row]))
    apply(admin, url)
    with app.app_context():
        db.session.get(Member, member_id).phone = "0955000222"  # the secretary corrected it since
        db.session.commit()
    undo(admin, last_batch(app))
    assert snapshot(app, member_id)[3] == "0955000222"
    page = page_text(admin.get(f"/members/import/batches/{last_batch(app)}"))
    assert "Đã sửa sau lần nhập, giữ nguyên" in page and "số điện thoại" in page


def test_undo_belongs_to_the_importer_and_the_levels_above(app, as_role, tree):
    grassroots = as_role("grassroots_admin")
    url, _text = preview(grassroots, tree["grassroots"], csv_bytes([person(1, tree["a_name"])]))
    apply(grassroots, url)
    batch_id = last_batch(app)
    for role in ("secretary", "other_province_admin"):
        assert as_role(role).get(f"/members/import/batches/{batch_id}").status_code == 404
    district = as_role("district_admin")
    assert f"/members/import/batches/{batch_id}" in district.text("/members/import/")  # found from above
    assert district.get(f"/members/import/batches/{batch_id}").status_code == 200
    assert f"/members/import/batches/{batch_id}/undo" in grassroots.text(url)  # on the summary too
    assert undo(as_role("district_admin"), batch_id).status_code == 302
    with app.app_context():
        assert db.session.get(MemberImport, batch_id).state == "undone"


# --- finding 13: one answer about a card held out of scope ---------------------------------------

def test_a_card_held_out_of_scope_gets_the_same_answer_here_and_in_another_province(app, as_role, accounts, tree):
    with app.app_context():
        district = db.session.scalar(select(Organisation).where(
            Organisation.name == accounts["district_admin"]["org"]))
        beside = db.session.scalar(select(Organisation.id).where(
            Organisation.level == "district", Organisation.province_id == district.province_id,
            Organisation.id != district.id))
        near = db.session.scalar(select(Member).join(OrgClosure, OrgClosure.descendant_id == Member.org_id)
                                 .where(OrgClosure.ancestor_id == beside, Member.card_number.is_not(None)))
        far = db.session.scalar(select(Member).join(Organisation, Organisation.id == Member.org_id)
                                .where(Organisation.province_id == tree["other_province"],
                                       Member.card_number.is_not(None)))
        cards = {"near": near.card_number, "far": far.card_number}
        names = [near.full_name, far.full_name]
    admin = as_role("district_admin")
    answers = {}
    for where, card in cards.items():
        page = admin.text("/members/new")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
        response = admin.submit("/members/new", {
            "idempotency_key": key, "org_id": str(tree["a"]), "full_name": "Lò Văn Thử", "card_number": card,
            "birth_date": "1980-01-01", "kind": "official", "admission_date": "2005-05-19",
            "official_date": "2006-05-19"}, form_page="/members/new")
        assert response.status_code == 400
        answers[where] = re.search(r"Số thẻ này[^<]*", page_text(response)).group(0)
    _url, text = preview(admin, tree["grassroots"], csv_bytes([
        person(1, tree["a_name"], card=cards["near"]), person(2, tree["a_name"], card=cards["far"])]))
    in_file = dict(re.findall(r"Dòng (\d): (Số thẻ này[^<]*)", text))
    assert answers["near"] == answers["far"] == in_file["2"] == in_file["3"]
    assert not any(name in text for name in names)
    with app.app_context():
        audited = set(db.session.scalars(select(AuditEntry.target).where(
            AuditEntry.action == "member.card_conflict")))
        assert {f"member:{near.id}", f"member:{far.id}"} <= audited


def test_a_row_changing_someone_who_outranks_the_importer_is_refused(app, as_role, accounts, tree):
    """The district administrator's member record lies in branch A: the grassroots administrator's
    file may not change it (nor, through it, his sign-in); the province's may."""
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.login == accounts["district_admin"]["login"]))
        record = Member(org_id=tree["a"], full_name="Đinh Văn Huyện", card_number="46999101",
                        kind="official", status="active", birth_date=date(1966, 6, 6),
                        admission_date=date(1990, 1, 1), official_date=date(1991, 1, 1))
        db.session.add(record)
        db.session.flush()
        boss.member_id = record.id
        db.session.commit()
        record_id = record.id
    row = person(1, tree["b_name"], name="Đinh Văn Huyện", card="46999101", born="06/06/1966",
                 admitted="01/01/1990", official="01/01/1991", status="Khai trừ")
    grassroots = as_role("grassroots_admin")
    url, text = preview(grassroots, tree["grassroots"], csv_bytes([row]))
    assert "Dòng 2: tài khoản của đảng viên này giữ chức vụ ngang hoặc trên cấp của đồng chí" in text
    assert count(text, "Sẽ cập nhật") == 0
    before = snapshot(app, record_id)
    url, text = preview(as_role("province_admin"), tree["province"], csv_bytes([row]))
    assert count(text, "Sẽ cập nhật") == 1
    assert snapshot(app, record_id) == before
