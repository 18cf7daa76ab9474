"""A site worth fuzzing: the demo's library and inbox, the example plugin on, a document with a
file, a note, a password request, a member list waiting for its dry run; then each role's crawl
and the ids an attacker would forge."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from sqlalchemy import Integer, select

from core.extensions import db
from tests import samples
from tests.fuzz.crawl import Site, crawl
from tests.fuzz.strategies import Pools
from tests.support import Visitor

ROLES = ("province_admin", "secretary", "member", "family_helper")
PDF = samples.pdf("Nghi quyet so 57-NQ/TW")
CSV = ("STT,Họ và tên,Số thẻ đảng viên,Ngày sinh,Giới tính,Ngày vào Đảng,Ngày chính thức,Chi bộ,"
       "Trạng thái,Số điện thoại\n1,Nguyễn Văn Mẫu,88990001,02/03/1970,Nam,19/05/1995,19/05/1996,{branch},"
       "Chính thức,0987000001\n")


@dataclass
class World:
    sites: dict[str, Site]
    pools: dict[str, Pools]
    seeds: dict[str, tuple[str, ...]]


def signed_in(app, account: dict) -> Visitor:
    person = Visitor(app.test_client())
    person.login(account)
    return person


def org_id(app, name: str) -> int:
    from core.org.models import Organisation

    with app.app_context():
        found = db.session.scalar(select(Organisation.id).where(Organisation.name == name))
        db.session.remove()
    return found


def seed_library(app, accounts: dict) -> None:
    """The demo's published items, bookmarks and inbox (the tests' template has none)."""
    from core.auth.models import User
    from core.content.demo import seed_demo_content
    from core.content.library import seed_demo_bookmarks
    from core.notify.demo import seed_demo_notifications
    from core.org.models import Organisation

    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(Organisation.name == accounts["secretary"]["org"]))
        grassroots = db.session.get(Organisation, branch.parent_id)
        district = db.session.get(Organisation, grassroots.parent_id)
        province = db.session.get(Organisation, district.parent_id)
        seed_demo_content(province, district, grassroots, branch)
        users = {u.login: u for u in db.session.scalars(select(User))}
        seed_demo_bookmarks(users[accounts["member"]["login"]])
        db.session.commit()
        seed_demo_notifications(province.id, branch.id, users[accounts["secretary"]["login"]].id)
        db.session.remove()


def prepare(app, accounts: dict) -> dict[str, tuple[str, ...]]:
    """Fill the site through its own forms; returns extra pages each role should start from."""
    seed_library(app, accounts)
    admin = signed_in(app, accounts["province_admin"])
    province = org_id(app, accounts["province_admin"]["org"])
    admin.submit(f"/admin/plugins/{province}/toggle", {"plugin": "_example", "enabled": "1"},
                 form_page=f"/admin/plugins/{province}")
    secretary = signed_in(app, accounts["secretary"])
    html = secretary.text("/publish/new/document")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    chosen = re.search(r'<option selected value="(\d+)"', html).group(1)
    secretary.submit("/publish/new/document", {
        "idempotency_key": key, "org_id": chosen, "when": "now", "title": "Nghị quyết số 57-NQ/TW",
        "category": "resolution", "level": "central", "secrecy": "normal", "body": "Nội dung.",
        "files": [(io.BytesIO(PDF), "nghi-quyet.pdf")]}, content_type="multipart/form-data")
    member = signed_in(app, accounts["member"])
    member.submit("/example/", {"text": "Ghi chú của chi bộ", "idempotency_key": "fuzz-note-1"})
    Visitor(app.test_client()).submit("/forgot", {"login": accounts["member"]["login"]})
    data = CSV.format(branch=accounts["secretary"]["org"]).encode()
    response = admin.submit("/members/import/", {"org_id": str(province), "file": (io.BytesIO(data), "ds.csv")},
                            form_page="/members/import/", content_type="multipart/form-data")
    preview = response.headers.get("Location", "/members/import/")
    return {"province_admin": ("/", "/example/", preview, f"/admin/plugins/{province}")}


def own_records(app, account: dict | None) -> tuple[int | None, set[int]]:
    """The account's member id and role-assignment ids: changing those would sign it out for
    good (a card number edited, a status "deceased", a role revoked) and end the run early."""
    from core.auth.models import User
    from core.org.models import RoleAssignment

    if not account:
        return None, set()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == account["login"]))
        found = user.member_id, set(db.session.scalars(
            select(RoleAssignment.id).where(RoleAssignment.user_id == user.id)))
        db.session.remove()
    return found


def not_own(app, account: dict | None, forms: list) -> list:
    """Forms that do not change the signed-in account's own record or roles."""
    member, assignments = own_records(app, account)
    own = {f"/members/{member}/"} | {f"/admin/roles/{ra}/" for ra in assignments}
    return [f for f in forms if not any(f.action.startswith(prefix) for prefix in own)]


def pools_for(app, accounts: dict, role: str, sites: dict[str, Site]) -> Pools:
    """Every integer id in the database (other branches' and province's too), without those
    whose loss would sign the role out for good (its own member record and role assignments)."""
    from core.auth.models import User
    from core.org.models import RoleAssignment

    ids: set[int] = set()
    mine: set[int] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and isinstance(keys[0].type, Integer):
                ids.update(db.session.scalars(select(keys[0])))
        login = accounts.get(role, {}).get("login")
        user = db.session.scalar(select(User).where(User.login == login)) if login else None
        if user is not None:
            mine = {user.id, user.member_id or 0} | set(db.session.scalars(
                select(RoleAssignment.id).where(RoleAssignment.user_id == user.id)))
        db.session.remove()
    params = sorted({name for site in sites.values() for name in site.param_names}
                    | {"next", "page", "org", "q", "action"})
    return Pools(tuple(sorted(ids - mine)), tuple(params))


def build(app, accounts: dict, roles=ROLES) -> World:
    """Prepare the site, crawl it as each role (and anonymously), gather the forgeable ids."""
    seeds = prepare(app, accounts)
    sites = {}
    for role in roles:
        sites[role] = crawl(app, signed_in(app, accounts[role]), role, seeds=seeds.get(role, ("/", "/example/")))
        sites[role].forms = not_own(app, accounts[role], sites[role].forms)
    sites["anonymous"] = crawl(app, Visitor(app.test_client()), "anonymous",
                               seeds=("/", "/login", "/forgot", "/reset", "/forgot/sent", "/offline", "/healthz"))
    pools = {role: pools_for(app, accounts, role, sites) for role in sites}
    return World(sites, pools, seeds)
