"""Administrators manage the organisations, roles and features below them, and nothing beside."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.org.models import Member, MemberEvent, Organisation, PluginState, RoleAssignment
from tests.plugins.support import dispose, make_app
from tests.support import Visitor


@pytest.fixture
def ids(app, accounts):
    """Ids of the demo's organisations, by the part they play in the tests."""
    with app.app_context():
        by_name = {o.name: o for o in db.session.scalars(select(Organisation))}
        province = by_name[accounts["province_admin"]["org"]]
        district = by_name[accounts["district_admin"]["org"]]
        grassroots = by_name[accounts["grassroots_admin"]["org"]]
        other_province = by_name[accounts["other_province_admin"]["org"]]
        sibling_district = next(o for o in by_name.values() if o.level == "district"
                                and o.parent_id == province.id and o.id != district.id)
        far_branch = next(o for o in by_name.values() if o.level == "branch"
                          and o.province_id == province.id and o.parent_id != grassroots.id)
        return {
            "province": province.id, "district": district.id, "grassroots": grassroots.id,
            "branch_a": by_name[accounts["secretary"]["org"]].id,
            "branch_b": by_name[accounts["secretary_other_branch"]["org"]].id,
            "sibling_district": sibling_district.id, "far_branch": far_branch.id,
            "far_grassroots": far_branch.parent_id,
            "other_province": other_province.id,
            "other_grassroots": next(o.id for o in by_name.values() if o.level == "grassroots"
                                     and o.province_id == other_province.id),
            "other_branch": next(o.id for o in by_name.values() if o.level == "branch"
                                 and o.province_id == other_province.id),
        }


def created_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/admin/orgs/(\d+)$", response.headers["Location"]).group(1))


def key_on(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def create_under(person, parent_id: int, name: str, level: str) -> int:
    page = f"/admin/orgs/{parent_id}"
    key = key_on(person.text(page))
    return created_id(person.submit(f"{page}/children", {
        "idempotency_key": key, "child-name": name, "child-level": level}, form_page=page))


def says(response, status: int, text: str = "") -> None:
    """The answer has `status` and shows `text` (Vietnamese) to the person."""
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert text in response.get_data(as_text=True)


def member_names(app, org_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Member.full_name).where(Member.org_id == org_id)))


# Organisations -------------------------------------------------------------------------------

def test_province_admin_builds_a_district_with_a_grassroots_and_a_branch(as_role, accounts, ids, app):
    admin = as_role("province_admin")
    page = admin.text("/admin/orgs")
    assert admin.last.status_code == 200
    assert accounts["province_admin"]["org"] in page and accounts["district_admin"]["org"] in page
    assert "Đảng bộ tỉnh" in page and "đảng viên" in page

    district = create_under(admin, ids["province"], "Đảng bộ huyện Võ Nhai", "district")
    page = admin.text(f"/admin/orgs/{district}")
    assert "Đảng bộ huyện Võ Nhai" in page and "Đảng bộ cấp huyện" in page
    assert admin.text(f"/admin/orgs/{ids['province']}").count("Đảng bộ huyện Võ Nhai") == 1

    admin.submit(f"/admin/orgs/{district}/rename", {"rename-name": "Đảng bộ huyện Võ Nhai (mới)"},
                 form_page=f"/admin/orgs/{district}")
    assert admin.last.status_code == 302
    assert "Đảng bộ huyện Võ Nhai (mới)" in admin.text(f"/admin/orgs/{district}")

    grassroots = create_under(admin, district, "Đảng bộ xã La Hiên", "grassroots")
    branch = create_under(admin, grassroots, "Chi bộ xóm Làng Lớn", "branch")
    assert "Chi bộ xóm Làng Lớn" in admin.text(f"/admin/orgs/{grassroots}")
    page = admin.text(f"/admin/orgs/{branch}")
    assert "Chi bộ" in page and "Đảng bộ xã La Hiên" in page  # the trail above it
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"org.created", "org.renamed"} <= actions


def test_a_new_organisation_defaults_to_a_branch_and_a_sibling_name_is_refused(as_role, ids, app):
    admin = as_role("grassroots_admin")
    grassroots = ids["grassroots"]
    page_url = f"/admin/orgs/{grassroots}"
    page = admin.text(page_url)
    chosen = re.search(r'<input[^>]*checked[^>]*name="child-level"[^>]*>|<option[^>]*selected[^>]*value="(\w+)"|'
                       r'<input[^>]*name="child-level"[^>]*checked[^>]*>', page)
    assert chosen and "branch" in chosen.group(0), "a branch (Chi bộ) is what is usually added"
    create_under(admin, grassroots, "Chi bộ Thôn Đông", "branch")
    again = admin.submit(f"{page_url}/children", {"idempotency_key": key_on(admin.text(page_url)),
                                                  "child-name": "  chi bộ thôn  đông ", "child-level": "branch"},
                         form_page=page_url)
    says(again, 400, "Ở đây đã có một tổ chức mang tên này")
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.name == "Chi bộ Thôn Đông")) == 1


def test_a_retried_create_makes_one_organisation(as_role, ids, app):
    admin = as_role("grassroots_admin")
    page = f"/admin/orgs/{ids['grassroots']}"
    form = {"idempotency_key": key_on(admin.text(page)), "child-name": "Chi bộ Trường học",
            "child-level": "branch"}
    first = admin.submit(f"{page}/children", form, form_page=page)
    again = admin.submit(f"{page}/children", form, form_page=page)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(
            Organisation.name == "Chi bộ Trường học")) == 1


def test_bad_input_on_create_is_a_vietnamese_message(as_role, ids):
    admin = as_role("province_admin")
    page = f"/admin/orgs/{ids['province']}"
    response = admin.submit(f"{page}/children", {"idempotency_key": "k1", "child-name": "",
                                                  "child-level": "district"}, form_page=page)
    says(response, 400, "Đồng chí vui lòng nhập tên tổ chức")
    response = admin.submit(f"{page}/children", {"idempotency_key": "k2", "child-name": "Chi bộ X",
                                                  "child-level": "branch"}, form_page=page)
    says(response, 400, "loại tổ chức")


def test_an_admin_changes_what_is_below_not_their_own_organisation(as_role, ids):
    district_admin = as_role("district_admin")
    own = f"/admin/orgs/{ids['district']}"
    page = district_admin.text(own)
    assert "cấp trên" in page and f"{own}/move" not in page
    says(district_admin.submit(f"{own}/rename", {"rename-name": "Tên khác"}, form_page=own), 400,
         "cấp trên")
    assert district_admin.get(f"{own}/move").status_code == 200  # explains, offers nothing
    response = district_admin.submit(f"{own}/move", {"parent_id": str(ids["district"])}, form_page=own)
    assert response.status_code == 400
    response = district_admin.submit(f"{own}/merge/{ids['sibling_district']}", {}, form_page=own)
    assert response.status_code == 404  # the sibling district is not theirs to see
    # A province has no level above: its administrator renames it.
    province_admin = as_role("province_admin")
    top = f"/admin/orgs/{ids['province']}"
    assert province_admin.submit(f"{top}/rename", {"rename-name": "Đảng bộ tỉnh Thái Nguyên"},
                                 form_page=top).status_code == 302
    assert "Đảng bộ tỉnh Thái Nguyên" in province_admin.text(top)


def test_grassroots_admin_moves_a_branch_between_units_in_scope(as_role, ids, app):
    admin = as_role("grassroots_admin")
    subunit = create_under(admin, ids["grassroots"], "Đảng bộ bộ phận Thôn Trên", "subunit")
    move = f"/admin/orgs/{ids['branch_b']}/move"
    page = admin.text(move)
    assert "Đảng bộ bộ phận Thôn Trên" in page
    response = admin.submit(move, {"parent_id": str(subunit)})
    assert response.status_code == 302
    assert "Chi bộ" in admin.text(f"/admin/orgs/{subunit}")
    with app.app_context():
        assert db.session.get(Organisation, ids["branch_b"]).parent_id == subunit
    # and back to the grassroots organisation
    assert admin.submit(move, {"parent_id": str(ids["grassroots"])}).status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, ids["branch_b"]).parent_id == ids["grassroots"]
        assert "org.moved" in set(db.session.scalars(select(AuditEntry.action)))


def test_a_branch_cannot_be_moved_out_of_scope_or_under_a_branch(as_role, ids):
    admin = as_role("grassroots_admin")
    move = f"/admin/orgs/{ids['branch_b']}/move"
    assert admin.submit(move, {"parent_id": str(ids["other_grassroots"])}).status_code == 404
    assert admin.submit(move, {"parent_id": str(ids["far_grassroots"])}).status_code == 404
    says(admin.submit(move, {"parent_id": str(ids["branch_a"])}), 400, "thể đặt loại tổ chức")
    province_admin = as_role("province_admin")
    move = f"/admin/orgs/{ids['far_branch']}/move"
    assert province_admin.submit(move, {"parent_id": str(ids["other_grassroots"])}).status_code == 404


def test_merging_two_branches_moves_members_and_records_history(as_role, accounts, ids, app):
    b_members = member_names(app, ids["branch_b"])
    a_before = len(member_names(app, ids["branch_a"]))
    admin = as_role("grassroots_admin")
    choose = admin.text(f"/admin/orgs/{ids['branch_b']}/merge")
    assert f"/admin/orgs/{ids['branch_b']}/merge/{ids['branch_a']}" in choose
    confirm = f"/admin/orgs/{ids['branch_b']}/merge/{ids['branch_a']}"
    page = admin.text(confirm)
    assert f"{len(b_members)} đảng viên" in page
    assert admin.submit(confirm, {}).status_code == 302
    assert sorted(member_names(app, ids["branch_a"])) != [] and member_names(app, ids["branch_b"]) == []
    assert len(member_names(app, ids["branch_a"])) == a_before + len(b_members)
    assert admin.get(f"/admin/orgs/{ids['branch_b']}").status_code == 404
    grassroots_page = admin.text(f"/admin/orgs/{ids['grassroots']}")
    assert f"/admin/orgs/{ids['branch_b']}\"" not in grassroots_page
    with app.app_context():
        moves = db.session.scalar(select(func.count()).where(
            MemberEvent.kind == "transfer", MemberEvent.from_org_id == ids["branch_b"],
            MemberEvent.to_org_id == ids["branch_a"]))
        assert moves == len(b_members)
        assert "org.merged" in set(db.session.scalars(select(AuditEntry.action)))
        moved_id = db.session.scalar(select(MemberEvent.member_id).where(
            MemberEvent.from_org_id == ids["branch_b"]))
    history = admin.text(f"/members/{moved_id}")
    assert (f'{accounts["secretary_other_branch"]["org"]} → {accounts["secretary"]["org"]}'
            in history)


def test_merge_keeps_one_role_when_the_person_held_it_at_both(as_role, accounts, ids, app):
    admin = as_role("grassroots_admin")
    grant_role(admin, ids["branch_a"], accounts["secretary_other_branch"]["login"], "secretary")
    assert admin.last.status_code == 302
    assert admin.submit(f"/admin/orgs/{ids['branch_b']}/merge/{ids['branch_a']}", {}).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(RoleAssignment).where(
            RoleAssignment.org_id.in_((ids["branch_a"], ids["branch_b"])))).all()
        assert sorted((r.org_id, r.role) for r in rows) == [(ids["branch_a"], "secretary")] * 2


def test_district_admin_reaches_neither_the_other_province_nor_a_sibling_district(as_role, ids):
    admin = as_role("district_admin")
    for org in ("other_province", "other_grassroots", "other_branch", "sibling_district",
                "far_branch", "province"):
        assert admin.get(f"/admin/orgs/{ids[org]}").status_code == 404, org
        assert admin.get(f"/admin/orgs/{ids[org]}/move").status_code == 404, org
        url = f"/admin/orgs/{ids[org]}/rename"
        assert admin.submit(url, {"rename-name": "X"}, form_page="/admin/orgs").status_code == 404
        url = f"/admin/orgs/{ids[org]}/children"
        assert admin.submit(url, {"child-name": "X", "child-level": "branch"},
                            form_page="/admin/orgs").status_code == 404
    page = admin.text("/admin/orgs")
    assert "Yên Bái" not in page


def test_people_without_the_right_get_404_on_admin_pages(as_role, ids):
    for role in ("secretary", "member", "family_helper"):
        person = as_role(role)
        for url in ("/admin/orgs", f"/admin/orgs/{ids['branch_a']}", "/admin/roles",
                    "/admin/roles/new", "/admin/plugins"):
            assert person.get(url).status_code == 404, (role, url)


# Roles ---------------------------------------------------------------------------------------

def grant_role(person, org_id: int, login: str, role: str):
    page = f"/admin/roles/new?org={org_id}"
    key = key_on(person.text(page))
    return person.submit("/admin/roles/new", {"idempotency_key": key, "org_id": str(org_id),
                                              "login": login, "role": role}, form_page=page)


def test_grassroots_admin_appoints_a_secretary_who_then_sees_that_branch_only(
        as_role, accounts, ids, app):
    admin = as_role("grassroots_admin")
    response = grant_role(admin, ids["branch_b"], accounts["member_other_branch"]["login"],
                          "secretary")
    assert response.status_code == 302
    listing = admin.text(response.headers["Location"])
    assert "Bí thư chi bộ" in listing and "đã được giao" in listing
    with app.app_context():
        assert "role.granted" in set(db.session.scalars(select(AuditEntry.action)))
    new_secretary = as_role("member_other_branch")
    assert "Đảng viên" in new_secretary.text("/manage")
    page = new_secretary.text("/members/")
    assert new_secretary.last.status_code == 200
    b_names, a_names = member_names(app, ids["branch_b"]), member_names(app, ids["branch_a"])
    assert any(name in page for name in b_names)
    assert not any(name in page for name in set(a_names) - set(b_names))


def test_roles_cannot_be_granted_outside_the_subtree(as_role, accounts, ids):
    admin = as_role("grassroots_admin")
    for org in ("far_branch", "other_branch", "district", "other_province"):
        assert admin.get(f"/admin/roles/new?org={ids[org]}").status_code == 404
        response = admin.submit("/admin/roles/new", {
            "idempotency_key": f"x{org}", "org_id": str(ids[org]),
            "login": accounts["member_other_branch"]["login"], "role": "secretary"},
            form_page="/admin/roles/new")
        assert response.status_code == 404, org


def test_a_secretary_is_appointed_on_a_branch_only(as_role, accounts, ids):
    admin = as_role("grassroots_admin")
    says(grant_role(admin, ids["grassroots"], accounts["member"]["login"], "secretary"), 400,
         "chi bộ")
    says(grant_role(admin, ids["grassroots"], accounts["member"]["login"], "admin"), 302)


def test_no_one_appoints_themselves_or_a_stranger(as_role, accounts, ids):
    admin = as_role("grassroots_admin")
    for role, answer in (("grassroots_admin", "chính mình"), ("other_province_admin", "Không tìm thấy"),
                         ("family_helper", "Không tìm thấy")):
        says(grant_role(admin, ids["branch_a"], accounts[role]["login"], "admin"), 400, answer)


def test_a_member_without_an_account_gets_one_when_appointed(as_role, ids, app):
    with app.app_context():
        from core.auth.models import User

        card = db.session.scalar(select(Member.card_number).where(
            Member.org_id == ids["branch_b"], Member.card_number.is_not(None),
            Member.status == "active", ~Member.id.in_(select(User.member_id).where(
                User.member_id.is_not(None)))))
    assert card, "the demo has members who never signed in"
    response = grant_role(as_role("grassroots_admin"), ids["branch_b"], card, "secretary")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == card))
        assert [(r.org_id, r.role) for r in user.roles] == [(ids["branch_b"], "secretary")]


def test_revoking_a_secretary_ends_their_access_but_not_ones_own_admin_role(
        as_role, accounts, ids, app):
    admin = as_role("grassroots_admin")
    with app.app_context():
        secretary_role = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.org_id == ids["branch_a"], RoleAssignment.role == "secretary"))
        own_role = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.org_id == ids["grassroots"], RoleAssignment.role == "admin"))
    listing = admin.text("/admin/roles")
    assert f"/admin/roles/{secretary_role}/revoke" in listing
    assert f"/admin/roles/{own_role}/revoke" not in listing
    says(admin.submit(f"/admin/roles/{own_role}/revoke", {}, form_page="/admin/roles"), 400,
         "của chính mình")
    assert admin.get("/admin/roles").status_code == 200
    secretary = as_role("secretary")
    assert secretary.get("/members/").status_code == 200
    assert admin.submit(f"/admin/roles/{secretary_role}/revoke", {},
                        form_page="/admin/roles").status_code == 302
    assert secretary.get("/members/").status_code in (403, 404)
    with app.app_context():
        assert "role.revoked" in set(db.session.scalars(select(AuditEntry.action)))


def test_roles_of_other_subtrees_cannot_be_revoked_or_listed(as_role, ids, app):
    with app.app_context():
        other = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.org_id == ids["other_province"]))
        district = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.org_id == ids["district"]))
    admin = as_role("grassroots_admin")
    for role_id in (other, district):
        assert admin.submit(f"/admin/roles/{role_id}/revoke", {},
                            form_page="/admin/roles").status_code == 404
    assert admin.get(f"/admin/roles?org={ids['other_province']}").status_code == 404
    assert "Yên Bái" not in admin.text("/admin/roles")


def test_secretary_gets_404_on_roles(as_role):
    secretary = as_role("secretary")
    assert secretary.get("/admin/roles").status_code == 404
    assert secretary.submit("/admin/roles/new", {"org_id": "1", "login": "x", "role": "admin"},
                            form_page="/account").status_code == 404


# Features and theme --------------------------------------------------------------------------

def toggle(person, province_id: int, plugin: str, on: bool):
    page = f"/admin/plugins/{province_id}"
    return person.submit(f"{page}/toggle", {"plugin": plugin, "enabled": "1" if on else "0"},
                         form_page="/account")


def test_province_admin_turns_the_example_feature_on_then_off(as_role, ids, app):
    admin, member = as_role("province_admin"), as_role("member")
    assert member.get("/example/").status_code == 404
    page = admin.text("/admin/plugins")
    assert admin.last.status_code == 200
    assert "Đang tắt" in page and "Bật tính năng" in page
    assert toggle(admin, ids["province"], "_example", True).status_code == 302
    page = admin.text("/admin/plugins")
    assert "Đang bật" in page and "Tắt tính năng" in page
    assert member.get("/example/").status_code == 200  # at once, no restart
    with app.app_context():
        state = db.session.get(PluginState, (ids["province"], "_example"))
        assert state.enabled is True and state.changed_by_id is not None
    assert toggle(admin, ids["province"], "_example", False).status_code == 302
    assert "Bật tính năng" in admin.text("/admin/plugins")
    assert member.get("/example/").status_code == 404
    with app.app_context():
        assert db.session.get(PluginState, (ids["province"], "_example")).enabled is False
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert "plugin.enabled" in actions and "plugin.disabled" in actions


def test_only_the_provinces_own_admin_toggles_its_features(as_role, ids, app):
    for role in ("district_admin", "grassroots_admin", "other_province_admin", "secretary"):
        person = as_role(role)
        assert toggle(person, ids["province"], "_example", True).status_code == 404, role
        assert person.get(f"/admin/plugins/{ids['province']}").status_code == 404, role
    assert as_role("district_admin").get("/admin/plugins").status_code == 404
    with app.app_context():
        assert db.session.get(PluginState, (ids["province"], "_example")) is None


def test_a_district_id_is_not_a_province_for_features(as_role, ids):
    admin = as_role("province_admin")
    assert admin.get(f"/admin/plugins/{ids['district']}").status_code == 404
    assert toggle(admin, ids["district"], "_example", True).status_code == 404
    assert toggle(admin, ids["province"], "no_such_plugin", True).status_code == 404


def test_toggling_in_one_province_leaves_the_other_alone(as_role, ids, app):
    other = as_role("other_province_admin")
    assert toggle(other, ids["other_province"], "_example", True).status_code == 302
    assert "Tắt tính năng" in other.text("/admin/plugins")
    assert "Bật tính năng" in as_role("province_admin").text("/admin/plugins")
    with app.app_context():
        from core.plugins import host

        assert "_example" in host().enabled(ids["other_province"])
        assert "_example" not in host().enabled(ids["province"])


def test_province_admin_chooses_the_theme(as_role, ids, app):
    admin = as_role("province_admin")
    url = f"/admin/plugins/{ids['province']}/theme"
    assert admin.submit(url, {"theme": "lite"}, form_page="/admin/plugins").status_code == 302
    says(admin.submit(url, {"theme": "../../etc"}, form_page="/admin/plugins"), 400, "giao diện")
    with app.app_context():
        from core.org.settings import get_setting

        assert get_setting(ids["province"], "core", "theme") == "lite"
    assert as_role("other_province_admin").submit(url, {"theme": "lite"},
                                                  form_page="/admin/plugins").status_code == 404


def test_admin_pages_are_light(as_role, ids):
    import gzip

    admin = as_role("province_admin")
    for url in ("/admin/orgs", f"/admin/orgs/{ids['grassroots']}", "/admin/roles",
                "/admin/roles/new", "/admin/plugins", f"/admin/orgs/{ids['branch_b']}/move",
                f"/admin/orgs/{ids['branch_b']}/merge"):
        body = admin.get(url).get_data()
        assert admin.last.status_code == 200, url
        assert len(gzip.compress(body)) <= 14 * 1024, url
        assert admin.last.headers["Cache-Control"] == "no-store"



@pytest.fixture
def app_with_dependent_plugin(db_uri, tmp_path, monkeypatch):
    """The app with one more plugin, "needs_example", which REQUIRES the example plugin."""
    package = tmp_path / "plugins" / "admin_needs_example"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('TITLE = "Needs example"\nREQUIRES = ("_example",)\n')
    (package / "hooks.py").write_text('"""No hooks: only its requirement matters here."""\n')
    monkeypatch.syspath_prepend(str(package.parent))
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS={"needs_example": package.name})
    yield app
    dispose(app)


def test_a_feature_whose_requirement_is_off_cannot_be_turned_on(app_with_dependent_plugin, accounts):
    admin = Visitor(app_with_dependent_plugin.test_client())
    admin.login(accounts["province_admin"])
    with app_with_dependent_plugin.app_context():
        province = db.session.scalar(select(Organisation.id).where(
            Organisation.name == accounts["province_admin"]["org"]))
    says(toggle(admin, province, "needs_example", True), 400, "đồng chí hãy bật tính năng đó trước")
    page = admin.text("/admin/plugins")
    assert "Needs example" in page and "Cần có:" in page
    # Other installed plugins (meetings, …) have their own buttons: count against them.
    on_before, off_before = page.count("Tắt tính năng"), page.count("Bật tính năng")
    says(toggle(admin, province, "_example", True), 302)
    says(toggle(admin, province, "needs_example", True), 302)
    assert admin.text("/admin/plugins").count("Tắt tính năng") == on_before + 2
    says(toggle(admin, province, "_example", False), 302)  # the dependent goes off with it
    page = admin.text("/admin/plugins")
    assert page.count("Bật tính năng") == off_before and "Cần có" in page
