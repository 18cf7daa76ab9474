"""Idempotency keys are one person's: a key someone else already used (a copied form, a shared
phone, a forged post) neither answers for them nor turns a create into an error."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.content.models import FeedSource
from core.extensions import db
from core.org.models import Organisation, RoleAssignment
from tests.core.test_admin import ids, key_on  # noqa: F401  (fixture)

SHARED = "f" * 32


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_another_accounts_key_creates_an_organisation_of_ones_own(as_role, ids, app):
    province, district = as_role("province_admin"), as_role("district_admin")
    first = province.submit(f"/admin/orgs/{ids['province']}/children", {
        "idempotency_key": SHARED, "child-name": "Đảng bộ huyện Thử Khóa", "child-level": "district"},
        form_page=f"/admin/orgs/{ids['province']}")
    assert first.status_code == 302
    before = count(app, Organisation)
    second = district.submit(f"/admin/orgs/{ids['district']}/children", {
        "idempotency_key": SHARED, "child-name": "Đảng bộ xã Thử Khóa", "child-level": "grassroots"},
        form_page=f"/admin/orgs/{ids['district']}")
    assert second.status_code == 302 and second.location != first.location
    assert count(app, Organisation) == before + 1
    # Sent again by its own author, each key still finds its own result.
    again = district.submit(f"/admin/orgs/{ids['district']}/children", {
        "idempotency_key": SHARED, "child-name": "Đảng bộ xã Thử Khóa", "child-level": "grassroots"},
        form_page=f"/admin/orgs/{ids['district']}")
    assert again.location == second.location and count(app, Organisation) == before + 1


def test_another_accounts_key_appoints(as_role, accounts, ids, app):
    province, grassroots = as_role("province_admin"), as_role("grassroots_admin")
    first = province.submit("/admin/roles/new", {
        "idempotency_key": SHARED, "org_id": str(ids["district"]),
        "login": accounts["member_other_branch"]["login"], "role": "admin"},
        form_page=f"/admin/roles/new?org={ids['district']}")
    assert first.status_code == 302
    before = count(app, RoleAssignment)
    second = grassroots.submit("/admin/roles/new", {
        "idempotency_key": SHARED, "org_id": str(ids["branch_a"]),
        "login": accounts["member"]["login"], "role": "secretary"},
        form_page=f"/admin/roles/new?org={ids['branch_a']}")
    assert second.status_code == 302, second.get_data(as_text=True)[:2000]
    assert count(app, RoleAssignment) == before + 1


def test_another_accounts_key_adds_a_feed(as_role, app):
    province, other = as_role("province_admin"), as_role("other_province_admin")

    def add(person, url):
        page = person.text("/feeds/")
        org = re.search(r'name="org_id" value="(\d+)"', page).group(1)
        return person.submit("/feeds/", {"name": "Cổng thông tin", "url": url, "org_id": org,
                                         "idempotency_key": SHARED}, form_page="/feeds/")

    assert add(province, "https://thainguyen.dcs.vn/rss").status_code in (302, 303)
    before = count(app, FeedSource)
    assert add(other, "https://yenbai.dcs.vn/rss").status_code in (302, 303)
    assert count(app, FeedSource) == before + 1
