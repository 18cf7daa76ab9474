"""The demo province (and a small second one) behind `flask seed-demo`.

A province shaped like DESIGN.md's: at 100,000 members ~16 district-level organisations, ~600
grassroots and ~5,000 branches. Organisations, closure rows, members and accounts go in as
bulk inserts (no RETURNING, no ORM objects), so `--members 100000` takes well under a minute;
the accounts named in DESIGN.md are written to instance/demo-accounts.json. The demo province
also gets published news, documents, announcements and an inbox; the second one a province theme."""
from __future__ import annotations

import json
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select, text

from core.auth.accounts import add_bulk_names
from core.auth.models import User
from core.auth.passwords import hash_password
from core.content.demo import seed_demo_content
from core.content.library import seed_demo_bookmarks
from core.extensions import db
from core.localtime import today_local
from core.notify.demo import seed_demo_notifications
from core.org.models import Level, Member, OrgClosure, Organisation, RoleAssignment, utcnow
from core.org.scope import ADMIN, SECRETARY
from core.org.settings import set_setting
from core.org.tree import create_org

log = logging.getLogger(__name__)

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Ma", "Lăng", "Triệu", "Nông", "Hà", "Đinh", "Lương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hữu", "Xuân", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiền", "Hoa", "Hùng",
         "Hương", "Khoa", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân",
         "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Tuấn", "Tùng", "Vân", "Việt", "Yến"]
# The province's district-level committees, then the party organisations directly under it.
DISTRICTS = ["thành phố Thái Nguyên", "thành phố Sông Công", "thành phố Phổ Yên", "huyện Đại Từ",
             "huyện Định Hóa", "huyện Phú Lương", "huyện Đồng Hỷ", "huyện Võ Nhai", "huyện Phú Bình",
             "Khối các cơ quan tỉnh", "Khối doanh nghiệp tỉnh", "Quân sự tỉnh", "Công an tỉnh",
             "Đại học Thái Nguyên", "Công ty Gang thép Thái Nguyên", "Than Thái Nguyên"]
PLACES = ["Tân Thịnh", "Quyết Thắng", "Phúc Xuân", "Hùng Sơn", "La Bằng", "Bản Ngoại", "Quân Chu",
          "Tân Linh", "Yên Lãng", "Phú Đình", "Điềm Mặc", "Bình Yên", "Sơn Cẩm", "Hóa Thượng",
          "La Hiên", "Thần Sa", "Tràng Xá", "Dân Tiến", "Kha Sơn", "Lương Phú"]
HAMLETS = ["Đồng Tâm", "Gốc Gạo", "Làng Lớn", "Khuôn Lân", "Na Mao", "Bãi Chè", "Đồng Bèn",
           "Cầu Đá", "Tiền Phong", "Văn Hữu", "Trung Tâm", "Đầm Mây", "Kết Thành", "Phố Cò"]
CHUNK = 5000  # rows per bulk insert: keeps the parameter lists of one statement modest


@dataclass(frozen=True)
class DemoWorld:
    """What `seed_demo` hooks receive: the demo's organisations and accounts, to fill with data.

    `orgs` maps a demo role (as in demo-accounts.json) to the organisation it works in;
    `users` maps it to the account id; `accounts` is demo-accounts.json itself; `branches`
    are every branch of the demo province; `rng` is seeded, so the demo is the same each time."""

    province_id: int
    other_province_id: int
    orgs: dict[str, int]
    users: dict[str, int]
    accounts: dict
    branches: tuple[int, ...]
    rng: random.Random
    content: bool  # False in the tests' database: plugins keep their demo data small then


@dataclass(frozen=True)
class DemoOrg:
    """An organisation the seed created: its id, name and the ids from the province down to it."""

    id: int
    name: str
    path: tuple[int, ...]


def seed(members: int = 400, *, seed_value: int = 7, content: bool = True) -> Path:
    """Build the demo; `content=False` leaves out the published items, inbox and bookmarks
    (the tests start from an empty library and publish what each one needs)."""
    rng = random.Random(seed_value)
    province = _top(create_org("Đảng bộ tỉnh Thái Nguyên (dữ liệu mẫu)", Level.PROVINCE, None))
    branches_wanted = max(4, members // 20)
    district_count = max(2, min(len(DISTRICTS), branches_wanted // 40 + 2))
    districts = _bulk_orgs(Level.DISTRICT, [(f"Đảng bộ {name}", province)
                                            for name in DISTRICTS[:district_count]])
    grassroots_count = max(2, branches_wanted // 8)
    grassroots = _bulk_orgs(Level.GRASSROOTS, [
        (f"Đảng bộ xã {_numbered(PLACES, i)}", districts[i % len(districts)])
        for i in range(grassroots_count)])
    branches = _bulk_orgs(Level.BRANCH, [
        (f"Chi bộ xóm {_numbered(HAMLETS, i)}", grassroots[i % len(grassroots)])
        for i in range(branches_wanted)])
    branch_a, branch_b = branches[0], branches[len(grassroots)]  # siblings under grassroots[0]
    other = _top(create_org("Đảng bộ tỉnh Yên Bái (dữ liệu mẫu)", Level.PROVINCE, None))
    other_district = _bulk_orgs(Level.DISTRICT, [("Đảng bộ huyện Văn Yên", other)])[0]
    other_grassroots = _bulk_orgs(Level.GRASSROOTS, [("Đảng bộ xã Đông Cuông", other_district)])[0]
    other_branches = _bulk_orgs(Level.BRANCH, [(f"Chi bộ thôn {name}", other_grassroots)
                                               for name in ("Khe Lép", "Cầu Khai", "Đồng Ruộng")])

    _bulk_members(rng, branches, members, card_prefix="46")
    _bulk_members(rng, other_branches, 30, card_prefix="15")
    accounts = _demo_accounts(rng, province, districts[0], grassroots[0], branch_a, branch_b, other)
    # The second province shows a province theme (themes/yenbai).
    set_setting(other.id, "core", "theme", "yenbai")
    db.session.commit()
    if content:
        seed_content(province, districts[0], grassroots[0], branch_a, accounts)
    orgs = {"province_admin": province.id, "district_admin": districts[0].id,
            "grassroots_admin": grassroots[0].id, "secretary": branch_a.id, "member": branch_a.id,
            "family_helper": branch_a.id, "secretary_other_branch": branch_b.id,
            "member_other_branch": branch_b.id, "other_province_admin": other.id}
    seed_plugins(DemoWorld(province.id, other.id, orgs, _users_of(accounts), accounts,
                           tuple(b.id for b in branches), random.Random(seed_value), content))
    if db.engine.dialect.name == "postgresql":
        # Right after a bulk load the planner still guesses ~100 rows a table, and picks plans
        # that make the first province-wide member list 3x slower until autovacuum catches up.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    path = Path(current_app.instance_path) / "demo-accounts.json"
    path.write_text(json.dumps(accounts, ensure_ascii=False, indent=2))
    log.info("demo: %s organisations, %s members", len(branches) + len(grassroots), members)
    return path


def seed_content(province, district, grassroots, branch, accounts: dict) -> None:
    """Publish the demo's news, documents, announcements and life sections for these
    organisations (anything with `.id` and `.name`), save two documents for the demo member,
    and fill the inbox; `accounts` as in demo-accounts.json. Commits."""
    seed_demo_content(province, district, grassroots, branch)
    users = {user.login: user for user in db.session.scalars(select(User).where(User.login.in_(
        [accounts["secretary"]["login"], accounts["member"]["login"]])))}
    seed_demo_bookmarks(users[accounts["member"]["login"]])
    db.session.commit()
    # Notifications announce what is published (and commit them).
    seed_demo_notifications(province.id, branch.id, users[accounts["secretary"]["login"]].id)


def seed_plugins(demo: DemoWorld) -> None:
    """Let every loaded plugin fill itself for the demo (the `seed_demo` hook); each commits."""
    from sqlalchemy import inspect

    from core.plugins import host

    present = set(inspect(db.session.connection()).get_table_names())
    for impl in host().pm.hook.seed_demo.get_hookimpls():
        # A plugin whose tables are not migrated yet (a database at the core's head) is left out.
        prefix = impl.plugin_name.lstrip("_") + "_"
        if any(t.startswith(prefix) and t not in present for t in db.metadata.tables):
            log.info("demo: %s left out, its tables are not there yet", impl.plugin_name)
            continue
        impl.function(*[{"demo": demo}[arg] for arg in impl.argnames])
        db.session.commit()


def _users_of(accounts: dict) -> dict[str, int]:
    by_login = dict(db.session.execute(select(User.login, User.id).where(
        User.login.in_([entry["login"] for entry in accounts.values()]))).all())
    return {role: by_login[entry["login"]] for role, entry in accounts.items()}


def _numbered(names: list[str], i: int) -> str:
    """The i-th name, with a number once the list has gone round."""
    return names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")


def _top(org: Organisation) -> DemoOrg:
    return DemoOrg(org.id, org.name, (org.id,))


def _bulk_orgs(level: Level, wanted: list[tuple[str, DemoOrg]]) -> list[DemoOrg]:
    """Insert organisations of one level under their parents, with their closure rows.

    The same rows core.org.tree.create_org writes, in a few statements instead of three per
    organisation (the closure is known from the parent's path)."""
    now = utcnow()
    rows = [{"name": name, "level": level.value, "parent_id": parent.id, "province_id": parent.path[0],
             "active": True, "created_at": now} for name, parent in wanted]
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids += db.session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                                  rows[start:start + CHUNK]).all()
    made = [DemoOrg(org_id, name, parent.path + (org_id,)) for org_id, (name, parent) in zip(ids, wanted)]
    closure = [{"ancestor_id": ancestor, "descendant_id": org.id, "depth": len(org.path) - 1 - depth}
               for org in made for depth, ancestor in enumerate(org.path)]
    _insert_chunks(OrgClosure, closure)
    return made


def _insert_chunks(model, rows: list[dict]) -> None:
    """Plain executemany inserts: about 3x faster than asking for the new ids back."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _name(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice(("nam", "nữ"))
    middle = "Thị" if gender == "nữ" and rng.random() < 0.7 else rng.choice(MIDDLE)
    return f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}", gender


def _bulk_members(rng, branches: list[DemoOrg], count: int, card_prefix: str) -> None:
    """Insert `count` members spread over `branches`, a share of them with accounts in use."""
    today = today_local(None)  # the deployment's time zone, not the server's
    now = utcnow()
    shared_hash = hash_password(secrets.token_urlsafe(16))  # nobody knows it: accounts need a reset
    rows, accounts = [], []
    serial = (db.session.scalar(select(db.func.count(Member.id))) or 0) + 1
    before = db.session.scalar(select(db.func.max(Member.id))) or 0
    for n in range(count):
        name, gender = _name(rng)
        born = today - timedelta(days=rng.randint(19 * 365, 90 * 365))
        admitted = born + timedelta(days=rng.randint(18 * 365, max(18 * 365 + 1, (today - born).days)))
        probationary = (today - admitted).days < 365
        card = None if probationary else f"{card_prefix}{serial + n:07d}"
        rows.append({"org_id": branches[n % len(branches)].id, "full_name": name,
                     "card_number": card, "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
                     "birth_date": born, "gender": gender,
                     "kind": "probationary" if probationary else "official",
                     "status": "exempt" if (today - born).days > 80 * 365 and rng.random() < 0.5 else "active",
                     "admission_date": admitted,
                     "official_date": None if probationary else admitted + timedelta(days=365),
                     "created_at": now, "updated_at": now})
        if card and rng.random() < 0.6:
            seen = now - timedelta(days=rng.randint(0, 90)) if rng.random() < 0.8 else None
            accounts.append({"login": card, "display_name": name, "password_hash": shared_hash,
                             "is_enabled": True, "created_at": now, "last_seen_at": seen})
    _insert_chunks(Member, rows)
    # The new members' ids, found by card number (unique) rather than asked back row by row.
    ids = dict(db.session.execute(select(Member.card_number, Member.id).where(
        Member.id > before, Member.card_number.is_not(None))).all())
    users_before = db.session.scalar(select(db.func.max(User.id))) or 0
    _insert_chunks(User, [{**user, "member_id": ids[user["login"]]} for user in accounts])
    add_bulk_names(users_before)  # a bulk insert runs no ORM events: their sign-in names, in one go


def _demo_accounts(rng, province, district, grassroots, branch_a, branch_b, other):
    accounts = {}

    def account(role, org, *, staff_role=None, member_org=None, helped=None, kind="official"):
        password = f"demo-{secrets.token_hex(4)}"
        name, gender = _name(rng)
        member = None
        if member_org is not None:
            number = len(accounts) + 1
            member = Member(org_id=member_org.id, full_name=name, gender=gender, kind=kind,
                            card_number=f"99{number:06d}", phone=f"0900000{number:03d}",
                            admission_date=date(2001, 5, 19), official_date=date(2002, 5, 19),
                            birth_date=date(1950 + number, 3, 2))
            db.session.add(member)
            db.session.flush()
        login = member.card_number if member else f"0911{len(accounts) + 1:06d}"
        user = User(login=login, display_name=helped.full_name + " (người nhà)" if helped else name,
                    member_id=member.id if member else None,
                    helped_member_id=helped.id if helped else None,
                    password_hash=hash_password(password), phone=None if member else login)
        db.session.add(user)
        db.session.flush()
        if staff_role:
            db.session.add(RoleAssignment(user_id=user.id, org_id=org.id, role=staff_role))
        accounts[role] = {"login": login, "password": password, "org": org.name}
        return member

    account("province_admin", province, staff_role=ADMIN)
    account("district_admin", district, staff_role=ADMIN)
    account("grassroots_admin", grassroots, staff_role=ADMIN)
    account("secretary", branch_a, staff_role=SECRETARY, member_org=branch_a)
    account("secretary_other_branch", branch_b, staff_role=SECRETARY, member_org=branch_b)
    elder = account("member", branch_a, member_org=branch_a)
    account("member_other_branch", branch_b, member_org=branch_b)
    account("family_helper", branch_a, helped=elder)
    account("other_province_admin", other, staff_role=ADMIN)
    return accounts


def demo_people(branch_ids, count: int, *, password: str, card_prefix: str = "48") -> list[dict]:
    """Members with accounts for a load test or a demo (a plugin's `quizzes demo-contest`): `count`
    official members spread over `branch_ids`, each with an account signing in by card number
    with `password` (hashed once, so thousands take seconds). Bulk inserts, in the caller's
    transaction; returns `[{"login", "password", "user_id"}]` in order."""
    rng = random.Random(count)
    now = utcnow()
    shared_hash = hash_password(password)
    serial = (db.session.scalar(select(db.func.max(Member.id))) or 0) + 1
    before = serial - 1
    rows, logins = [], []
    for n in range(count):
        name, gender = _name(rng)
        card = f"{card_prefix}{serial + n:08d}"
        rows.append({"org_id": branch_ids[n % len(branch_ids)], "full_name": name, "card_number": card,
                     "gender": gender, "kind": "official", "status": "active", "birth_date": date(1970, 1, 1),
                     "admission_date": date(2000, 5, 19), "official_date": date(2001, 5, 19),
                     "created_at": now, "updated_at": now})
        logins.append((card, name))
    _insert_chunks(Member, rows)
    ids = dict(db.session.execute(select(Member.card_number, Member.id).where(Member.id > before)).all())
    users_before = db.session.scalar(select(db.func.max(User.id))) or 0
    _insert_chunks(User, [{"login": card, "display_name": name, "password_hash": shared_hash, "is_enabled": True,
                           "created_at": now, "member_id": ids[card]} for card, name in logins])
    add_bulk_names(users_before)
    users = dict(db.session.execute(select(User.login, User.id).where(User.id > users_before)).all())
    return [{"login": card, "password": password, "user_id": users[card]} for card, _name_ in logins]
