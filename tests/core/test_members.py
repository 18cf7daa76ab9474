"""Branch secretaries and administrators manage members, only inside their own subtree."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.auth.models import User
from core.events import MemberChanged
from core.extensions import db
from core.org.models import Member, Organisation
from tests.plugins.support import FIXTURE, dispose, make_app
from tests.support import Visitor, local_today

NO_MATCH = "Không có đảng viên phù hợp"


@pytest.fixture
def demo(app, accounts):
    """Ids the tests need: the two sibling branches, members of each, another province's member."""
    with app.app_context():
        org = {o.name: o for o in db.session.scalars(select(Organisation))}
        other = org[accounts["other_province_admin"]["org"]]

        def member_of(role):
            return db.session.scalar(select(User).where(User.login == accounts[role]["login"])).member

        far = db.session.scalar(select(Member).join(Organisation, Organisation.id == Member.org_id)
                                .where(Organisation.province_id == other.id).limit(1))
        return {"branch_a": org[accounts["secretary"]["org"]].id,
                "branch_b": org[accounts["secretary_other_branch"]["org"]].id,
                "member": member_of("member").id, "member_card": member_of("member").card_number,
                "member_name": member_of("member").full_name,
                "sibling_member": member_of("member_other_branch").id,
                "sibling_card": member_of("member_other_branch").card_number,
                "far_member": far.id}


def key_on(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def new_member(**changes) -> dict:
    data = {"full_name": "Lương Thị Hồng Nhung", "card_number": "46.123 456", "phone": "0912 345 678",
            "birth_date": "1980-04-30", "gender": "nữ", "kind": "official",
            "admission_date": "2005-05-19", "official_date": "2006-05-19", "notes": ""}
    return {**data, **changes}


def add_form(person: Visitor, **changes) -> dict:
    """The add form filled as a browser would: its key, the branch it has chosen, our data."""
    page = person.text("/members/new")
    chosen = re.search(r'<option selected value="(\d+)"', page)
    data = {"idempotency_key": key_on(page), "org_id": chosen.group(1) if chosen else ""}
    return {**data, **new_member(**changes)}


def add(person: Visitor, **changes):
    return person.submit("/members/new", add_form(person, **changes), form_page="/members/new")


def added_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/members/(\d+)$", response.headers["Location"]).group(1))


def figures(html: str) -> list[int]:
    block = re.search(r'<ul class="figures".*?</ul>', html, re.S).group(0)
    return [int(n) for n in re.findall(r"<strong>(\d+)</strong>", block)]


# --- the list -----------------------------------------------------------------------------------

def test_secretary_lists_own_branch_and_not_the_sibling(as_role, demo):
    secretary = as_role("secretary")
    page = secretary.text("/members/")
    assert secretary.last.status_code == 200
    assert demo["member_card"] in page
    assert demo["sibling_card"] not in page
    assert "no-store" in secretary.last.headers["Cache-Control"]


def test_search_by_card_name_case_and_without_diacritics(as_role, demo):
    secretary = as_role("secretary")
    spaced = " ".join(demo["member_card"][i:i + 3] for i in range(0, 8, 3))
    assert demo["member_name"] in secretary.text(f"/members/?q={spaced}")
    assert demo["member_name"] in secretary.text(f"/members/?q={demo['member_name'].upper()}")
    assert demo["member_name"] in secretary.text(f"/members/?q={demo['member_name'].lower()}")
    response = add(secretary, full_name="Đặng Thị Ánh Tuyết", card_number="46777001")
    assert response.status_code == 302
    assert "Đặng Thị Ánh Tuyết" in secretary.text("/members/?q=dang thi anh tuyet")
    assert "Đặng Thị Ánh Tuyết" in secretary.text("/members/?q=ánh tuyết")
    assert NO_MATCH in secretary.text("/members/?q=zzzz")
    # The sibling branch's member is not found by their card number either.
    assert NO_MATCH in secretary.text(f"/members/?q={demo['sibling_card']}")


def test_filters_by_kind_account_and_use(as_role, demo, accounts, app):
    secretary = as_role("secretary")
    add(secretary, full_name="Hà Văn Dự Bị", card_number="", kind="probationary", official_date="")
    probationary = secretary.text("/members/?kind=probationary")
    assert "Hà Văn Dự Bị" in probationary and demo["member_name"] not in probationary
    assert demo["member_name"] in secretary.text("/members/?account=yes")
    without = secretary.text("/members/?account=no")
    assert "Hà Văn Dự Bị" in without and demo["member_name"] not in without
    assert demo["member_name"] not in secretary.text("/members/?used=yes")
    Visitor(app.test_client()).login(accounts["member"])
    assert demo["member_name"] in secretary.text("/members/?used=yes")
    assert demo["member_name"] not in secretary.text("/members/?used=no")


def test_counts_show_members_accounts_and_use(as_role, demo, accounts, app):
    secretary = as_role("secretary")
    with app.app_context():
        in_branch = db.session.scalar(select(func.count(Member.id)).where(
            Member.org_id == demo["branch_a"], Member.status.in_(("active", "exempt"))))
    members, registered, active = figures(secretary.text("/members/"))
    assert members == in_branch and 0 < registered <= members
    Visitor(app.test_client()).login(accounts["member"])
    assert figures(secretary.text("/members/")) == [members, registered, active + 1]
    add(secretary, card_number="46777002")
    assert figures(secretary.text("/members/"))[:2] == [members + 1, registered]


def test_org_filter_outside_scope_is_404(as_role, demo):
    secretary = as_role("secretary")
    assert secretary.get(f"/members/?org={demo['branch_a']}").status_code == 200
    assert secretary.get(f"/members/?org={demo['branch_b']}").status_code == 404


def test_grassroots_admin_filters_by_branch(as_role, demo):
    admin = as_role("grassroots_admin")
    assert demo["member_card"] in admin.text(f"/members/?q={demo['member_card']}")
    assert demo["sibling_card"] in admin.text(f"/members/?q={demo['sibling_card']}")
    only_b = admin.text(f"/members/?org={demo['branch_b']}&q={demo['sibling_card']}")
    assert demo["sibling_card"] in only_b
    assert NO_MATCH in admin.text(f"/members/?org={demo['branch_b']}&q={demo['member_card']}")


# --- adding -------------------------------------------------------------------------------------

def test_secretary_adds_a_member_with_history(as_role, app):
    secretary = as_role("secretary")
    member_id = added_id(add(secretary))
    page = secretary.text(f"/members/{member_id}")
    assert "Lương Thị Hồng Nhung" in page and "46123456" in page and "0912345678" in page
    assert "Kết nạp vào Đảng" in page and "19/05/2005" in page
    assert "Được công nhận đảng viên chính thức" in page
    assert "Chưa có tài khoản" in page


@pytest.mark.parametrize("changes, message", [
    ({"official_date": "2004-01-01"}, "Ngày chính thức không được trước ngày vào Đảng"),
    # Party Charter: twelve months of probation (admitted 19/05/2005).
    ({"official_date": "2005-11-19"}, "Thời gian dự bị là 12 tháng: ngày chính thức phải từ 19/05/2006 trở đi"),
    ({"official_date": "2006-05-18"}, "Thời gian dự bị là 12 tháng"),
    ({"admission_date": (local_today() + timedelta(days=3)).isoformat(), "official_date": ""},
     "Ngày này chưa tới"),
    ({"card_number": "46-12A-345"}, "Số thẻ đảng viên chỉ gồm chữ số"),
    ({"card_number": ""}, "Đảng viên chính thức cần có số thẻ đảng viên"),
    ({"kind": "probationary"}, "Đảng viên dự bị chưa có ngày chính thức"),
    ({"full_name": "  "}, "Vui lòng nhập họ và tên"),
    ({"admission_date": "31/02/2001"}, "Vui lòng nhập ngày theo dạng"),
    ({"birth_date": "2010-01-01"}, "Ngày vào Đảng phải sau ngày sinh"),
])
def test_add_refuses_bad_input_in_vietnamese(as_role, app, changes, message):
    secretary = as_role("secretary")
    response = add(secretary, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Member.id).where(Member.full_name == "Lương Thị Hồng Nhung")) is None


def test_duplicate_card_names_the_member_only_inside_scope(as_role, demo):
    secretary = as_role("secretary")
    own = add(secretary, card_number=demo["member_card"])
    assert own.status_code == 400 and demo["member_name"] in own.get_data(as_text=True)
    sibling = add(secretary, card_number=demo["sibling_card"]).get_data(as_text=True)
    assert "Số thẻ này đã có trong hệ thống" in sibling
    assert demo["sibling_card"] in sibling  # what was typed is kept, but no name or branch told
    # The same card typed in another script's digits is the same card, not a second record.
    arabic = demo["member_card"].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert add(secretary, card_number=arabic).status_code == 400


def test_add_accepts_dates_typed_the_vietnamese_way(as_role):
    secretary = as_role("secretary")
    member_id = added_id(add(secretary, admission_date="19/05/2005", official_date="19/05/2006"))
    assert "19/05/2006" in secretary.text(f"/members/{member_id}")


def test_retried_add_creates_one_member(as_role, app):
    secretary = as_role("secretary")
    data = add_form(secretary)
    first = secretary.submit("/members/new", data, form_page="/members/new")
    second = secretary.submit("/members/new", data, form_page="/members/new")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Member.card_number == "46123456")) == 1


def test_member_and_family_helper_cannot_manage(as_role):
    for role in ("member", "family_helper"):
        person = as_role(role)
        for url in ("/members/", "/members/new", "/members/resets"):
            assert person.get(url).status_code == 404, (role, url)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/members/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- editing, transfers, status -----------------------------------------------------------------

def test_secretary_edits_a_member(as_role, demo):
    secretary = as_role("secretary")
    url = f"/members/{demo['member']}/edit"
    page = secretary.text(url)
    assert demo["member_name"] in page
    response = secretary.submit(url, new_member(full_name="Nguyễn Văn Sửa", card_number=demo["member_card"],
                                                phone="0988 777 666"))
    assert response.status_code == 302
    detail = secretary.text(f"/members/{demo['member']}")
    assert "Nguyễn Văn Sửa" in detail and "0988777666" in detail


def test_an_edit_sent_twice_is_saved_once(as_role, demo, app):
    """The answer was lost on 3G and the secretary pressed Save again: one change, one entry."""
    from core.audit import AuditEntry

    secretary = as_role("secretary")
    url = f"/members/{demo['member']}/edit"
    data = new_member(full_name="Nguyễn Văn Sửa Lại", card_number=demo["member_card"],
                      idempotency_key=key_on(secretary.text(url)))
    first = secretary.submit(url, data)
    again = secretary.submit(url, data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "member.edited", AuditEntry.target == f"member:{demo['member']}")) == 1


def test_edit_refuses_another_members_card(as_role, demo):
    secretary = as_role("secretary")
    url = f"/members/{demo['member']}/edit"
    response = secretary.submit(url, new_member(card_number=demo["sibling_card"]))
    assert response.status_code == 400
    assert "Số thẻ này đã có trong hệ thống" in response.get_data(as_text=True)


def test_grassroots_admin_transfers_between_sibling_branches(as_role, demo):
    admin = as_role("grassroots_admin")
    url = f"/members/{demo['member']}/transfer"
    page = admin.text(url)
    assert f'value="{demo["branch_b"]}"' in page
    response = admin.submit(url, {"idempotency_key": key_on(page), "to_org": demo["branch_b"],
                                  "on_date": local_today().isoformat(), "note": "Quyết định số 12-QĐ/ĐU"})
    assert response.status_code == 302
    detail = admin.text(f"/members/{demo['member']}")
    assert "Chuyển sinh hoạt đảng" in detail and "Quyết định số 12-QĐ/ĐU" in detail
    assert as_role("secretary").get(f"/members/{demo['member']}").status_code == 404
    assert as_role("secretary_other_branch").get(f"/members/{demo['member']}").status_code == 200


def test_secretary_of_one_branch_is_told_who_transfers(as_role, demo):
    secretary = as_role("secretary")
    page = secretary.text(f"/members/{demo['member']}/transfer")
    assert "Đồng chí không quản lý chi bộ nào khác" in page
    assert "quản trị viên cấp trên" in page
    response = secretary.submit(f"/members/{demo['member']}/transfer",
                                {"to_org": demo["branch_b"], "on_date": local_today().isoformat()})
    assert response.status_code == 400
    assert as_role("secretary_other_branch").get(f"/members/{demo['member']}").status_code == 404


def change(person: Visitor, member_id: int, action: str, on_date: str, note: str = ""):
    url = f"/members/{member_id}/status"
    page = person.text(url)
    return person.submit(url, {"idempotency_key": key_on(page), "action": action,
                               "on_date": on_date, "note": note})


def test_status_changes_are_kept_in_history(as_role, demo):
    secretary = as_role("secretary")
    assert change(secretary, demo["member"], "exempt", "2024-03-01", "Tuổi cao, sức yếu").status_code == 302
    page = secretary.text(f"/members/{demo['member']}")
    assert "Được miễn sinh hoạt" in page and "01/03/2024" in page and "Tuổi cao, sức yếu" in page
    assert change(secretary, demo["member"], "reinstated", "2024-09-01").status_code == 302
    assert "Trở lại sinh hoạt" in secretary.text(f"/members/{demo['member']}")
    assert change(secretary, demo["member"], "deceased", "2025-01-02").status_code == 302
    page = secretary.text(f"/members/{demo['member']}")
    assert "Từ trần" in page and "02/01/2025" in page
    assert demo["member_name"] not in secretary.text("/members/")
    assert demo["member_name"] in secretary.text("/members/?status=deceased")


def test_probationary_member_becomes_official(as_role):
    secretary = as_role("secretary")
    member_id = added_id(add(secretary, full_name="Triệu Văn Mới", card_number="", kind="probationary",
                             official_date="", admission_date="2024-06-01"))
    too_early = change(secretary, member_id, "official", "2024-01-01")
    assert too_early.status_code == 400 and "trước ngày vào Đảng" in too_early.get_data(as_text=True)
    assert change(secretary, member_id, "official", "2025-06-01").status_code == 302
    page = secretary.text(f"/members/{member_id}")
    assert "Đảng viên chính thức" in page and "01/06/2025" in page


def test_status_change_refuses_a_future_date_and_a_missing_choice(as_role, demo):
    secretary = as_role("secretary")
    future = change(secretary, demo["member"], "expelled", (local_today() + timedelta(days=1)).isoformat())
    assert future.status_code == 400 and "Ngày này chưa tới" in future.get_data(as_text=True)
    nothing = change(secretary, demo["member"], "", local_today().isoformat())
    assert nothing.status_code == 400 and "Vui lòng chọn nội dung thay đổi" in nothing.get_data(as_text=True)


def test_expelled_member_is_signed_out_and_cannot_sign_in(app, as_role, accounts, demo):
    member = as_role("member")
    assert member.get("/").status_code == 200
    secretary = as_role("secretary")
    assert change(secretary, demo["member"], "expelled", local_today().isoformat(),
                  "Quyết định khai trừ").status_code == 302
    assert member.get("/").status_code == 302  # the open session is refused at once
    response = Visitor(app.test_client()).submit("/login", {"login": accounts["member"]["login"],
                                                            "password": accounts["member"]["password"]})
    assert response.status_code == 401
    assert "Tài khoản đã khóa" in secretary.text(f"/members/{demo['member']}")
    assert change(secretary, demo["member"], "reinstated", local_today().isoformat()).status_code == 302
    Visitor(app.test_client()).login(accounts["member"])  # a correction gives the account back


def test_a_retried_status_post_records_one_event(as_role, demo):
    secretary = as_role("secretary")
    url = f"/members/{demo['member']}/status"
    data = {"idempotency_key": key_on(secretary.text(url)), "action": "exempt", "on_date": "2024-03-01"}
    assert secretary.submit(url, data).status_code == 302
    assert secretary.submit(url, data).status_code == 302
    assert secretary.text(f"/members/{demo['member']}").count("Được miễn sinh hoạt") == 1


def test_plugins_hear_of_each_change_after_it_is_saved(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "with-fixture", EXTRA_PLUGINS=FIXTURE, REDIS_URL="")
    try:
        secretary = Visitor(app.test_client())
        secretary.login(accounts["secretary"])
        member_id = added_id(add(secretary))
        assert change(secretary, member_id, "exempt", "2024-01-01").status_code == 302
        heard = [(e.member_id, e.change) for e in app.extensions.get("fixture.events", [])
                 if isinstance(e, MemberChanged)]
        assert heard == [(member_id, "created"), (member_id, "exempt")]
    finally:
        dispose(app)


# --- access -------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["sibling_member", "far_member"])
def test_secretary_cannot_reach_members_outside_the_branch(as_role, demo, target, app):
    secretary = as_role("secretary")
    member_id = demo[target]
    with app.app_context():
        before = db.session.get(Member, member_id).status
    for url in (f"/members/{member_id}", f"/members/{member_id}/edit", f"/members/{member_id}/transfer",
                f"/members/{member_id}/status"):
        assert secretary.get(url).status_code == 404, url
    posts = {"edit": new_member(), "transfer": {"to_org": demo["branch_a"], "on_date": "2024-01-01"},
             "status": {"action": "expelled", "on_date": "2024-01-01"}, "code": {}}
    for action, data in posts.items():
        url = f"/members/{member_id}/{action}"
        assert secretary.submit(url, data, form_page="/members/").status_code == 404, url
    with app.app_context():
        assert db.session.get(Member, member_id).status == before


def test_secretary_cannot_add_into_the_sibling_branch(as_role, demo, app):
    secretary = as_role("secretary")
    response = add(secretary, org_id=demo["branch_b"])
    assert response.status_code == 400
    assert "Vui lòng chọn trong danh sách" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Member.id).where(Member.card_number == "46123456")) is None


def test_other_province_admin_sees_none_of_this_province(as_role, demo):
    admin = as_role("other_province_admin")
    assert NO_MATCH in admin.text(f"/members/?q={demo['member_card']}")
    assert admin.get(f"/members/{demo['member']}").status_code == 404
