"""The seeded world of the access matrix: for every role of the demo, objects of every kind in
every relation to that role — its own, in its organisation, in a sibling one, above, below, and
in the other province — found or placed in the seeded database.

A route parameter is filled by its name (PARAM_KINDS); a new kind of object needs a line there
and a maker in MAKERS (a plugin's maker runs only when that plugin is loaded). A plugin's
parameter that means something else than a name here takes a name of its own (`quiz_id`, not
`item_id`), so the matrix asks how to fill it."""
from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import files
from core.auth.models import ResetRequest, User
from core.content.models import Attachment, ContentItem, FeedSource
from core.content.service import to_html
from core.extensions import db
from core.jobs import JobRecord
from core.notify.models import Notification
from core.org.models import Member, OrgClosure, Organisation, PluginState, RoleAssignment, utcnow
from core.org.scope import ADMIN, SECRETARY
from core.plugins import host
from tests.support import Visitor, csrf_from

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "member", "family_helper", "secretary", "secretary_other_branch",
         "member_other_branch", "grassroots_admin", "district_admin", "province_admin",
         "other_province_admin")
# How an object stands to the user: theirs; in their organisation; beside it (same province,
# neither above nor below); above it; below it; in another province. "parent" and "child" take
# the nearest organisation above or below that holds such an object.
RELATIONS = ("own", "same", "sibling", "parent", "child", "other")
# How the accounts attached to an object (a member record, a password request, a role's holder)
# stand to the user by rank: no role at all; every role strictly below the user's organisation;
# one at the user's own level or beside it; one above it. Acting on an account needs the first two.
RANKS = ("no role", "role below", "role beside", "role above")
RANKED = {"member", "reset", "role"}  # kinds whose things carry `holders`: their accounts' role orgs
# Every placed object carries a marker naming its kind and organisation, so a page that shows
# what the user may not see is caught even when it answers 200.
CORE_TAGS = ("member", "staff", "published", "draft", "addressed", "personal")
MARKER = re.compile(r"thử quyền (%s) #(\d+)" % "|".join(CORE_TAGS))
# Seen from below, these never show: someone else's record, a draft, a branch's notes, someone
# else's personal notification (what is published above does show).
NOT_SEEN_FROM_BELOW = {"member", "draft", "personal"}
PDF = b"%PDF-1.4\n% bien ban hop chi bo (ma tran quyen)\n" + b"0" * 200 + b"\n%%EOF\n"

# Route parameter → the kind of object that fills it. Derived ones follow the object before them.
PARAM_KINDS = {
    "member_id": "member", "org_id": "org", "province_id": "province", "ra_id": "role",
    "item_id": "item", "request_id": "reset", "feed_id": "feed", "notification_id": "notification",
    "job_id": "job", "token": "upload", "import_id": "import",
}
DERIVED = {
    "attachment_id": lambda first: first.extra["attachment"],  # the item's own file
    "version": lambda first: 1,
    "target_id": lambda first: first.id,  # merge an organisation with itself: refused politely
}
VALUES = {"kind": "news", "category": "health"}  # plain values, the same for everyone


def values_for(app: Flask) -> dict:
    """The plain values, and a real static file's hashed name."""
    _by_theme, served = app.extensions["sotay.assets"]
    return {**VALUES, "filename": sorted(served)[0]}


@dataclass(frozen=True)
class Thing:
    """An object placed or found for the matrix."""

    kind: str
    id: object
    org_id: int | None
    owner_id: int | None = None
    nature: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Target:
    """A Thing as it stands to one role."""

    thing: Thing
    relation: str

    @property
    def id(self):
        return self.thing.id


@dataclass
class Person:
    """One role's browser: its client, the CSRF token its session holds, who it is."""

    role: str
    client: FlaskClient
    token: str
    user_id: int | None
    anchor: int


@dataclass
class World:
    accounts: dict
    anchors: dict[str, int]  # role → the organisation it lives in or administers
    users: dict[str, int | None]
    relations: dict[str, dict[str, list[int]]]  # role → relation → organisations, nearest first
    things: dict[str, list[Thing]]
    loaded_plugins: tuple[str, ...]
    values: dict = field(default_factory=dict)
    app: Flask | None = None
    people: dict[str, Person] = field(default_factory=dict)
    pristine: dict | None = None
    folder: object = None

    def target(self, role: str, kind: str, relation: str, nature: str | None = None) -> Target | None:
        """The object of `kind` (and `nature`) standing in `relation` to `role`, if the world has one."""
        user = self.users.get(role)
        if kind in RANKED:
            candidates = [t for t in self.things.get(kind, []) if nature is None or self.rank(role, t) == nature]
        else:
            candidates = [t for t in self.things.get(kind, []) if nature is None or t.nature == nature]
        if relation == "own":
            found = [t for t in candidates if user is not None and t.owner_id == user]
            return Target(found[0], relation) if found else None
        for org_id in self.relations[role][relation]:
            for thing in candidates:
                if thing.org_id == org_id and (thing.owner_id is None or thing.owner_id != user):
                    return Target(thing, relation)
        return None

    def leaks(self, role: str, response) -> list[str]:
        """Markers in a text answer of objects `role` may never see on any page. Files (a
        survey's Excel results, a PDF) are compressed: their own tests check what they hold."""
        if not response.mimetype.startswith(("text/", "application/json")):
            return []
        text = response.get_data(as_text=True)
        ours = self.relations[role]
        found = []
        for tag, org in MARKER.findall(text):
            org = int(org)
            if (role == ANONYMOUS or tag == "personal" or org in ours["sibling"] or org in ours["other"]
                    or (org in ours["parent"] and tag in NOT_SEEN_FROM_BELOW)):
                found.append(f"{tag} #{org}")
        return sorted(set(found))

    def natures(self, kind: str) -> list[str | None]:
        if kind in RANKED:
            return list(RANKS)
        return sorted({t.nature for t in self.things.get(kind, [])}, key=str) or [None]

    def default_nature(self, kind: str) -> str | None:
        """The nature tried by a rule the nature does not change (any, for ranked kinds)."""
        return None if kind in RANKED else self.natures(kind)[0]

    def rank(self, role: str, thing: Thing) -> str:
        """How the roles held by the thing's accounts stand to `role`'s organisation."""
        holders = thing.extra.get("holders", ())
        if not holders:
            return "no role"
        line = self.relations[role]
        if any(org in line["parent"] for org in holders):
            return "role above"
        if all(org in line["child"] for org in holders):
            return "role below"
        return "role beside"


# --- building ---------------------------------------------------------------------------------

def build_world(accounts: dict) -> World:
    """Place the matrix's objects in the seeded database (inside an app context) and commit."""
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.active.is_(True)))}
    by_name = {o.name: o.id for o in orgs.values()}
    users = {role: db.session.scalar(select(User.id).where(User.login == accounts[role]["login"]))
             for role in ROLES if role != ANONYMOUS}
    users[ANONYMOUS] = None
    anchors = {role: by_name[accounts[role]["org"]] for role in ROLES if role != ANONYMOUS}
    anchors[ANONYMOUS] = anchors["member"]  # anonymous tries the member's objects
    closure = db.session.execute(select(OrgClosure.ancestor_id, OrgClosure.descendant_id,
                                        OrgClosure.depth)).all()
    relations = {role: _relations(anchors[role], orgs, closure) for role in ROLES}
    loaded = tuple(host().plugins)
    for province in (o for o in orgs.values() if o.parent_id is None):
        for plugin in loaded:  # every loaded feature on, so its routes answer
            state = db.session.get(PluginState, (province.id, plugin)) or PluginState(
                province_id=province.id, plugin=plugin)
            state.enabled = True
            db.session.add(state)
    staff = _staff_per_org(orgs)
    _ranked_members(orgs)
    things: dict[str, list[Thing]] = {}
    for kind, (plugin, maker) in MAKERS.items():
        if plugin is None or plugin in loaded:
            things[kind] = maker(orgs, staff, users)
    db.session.commit()
    return World(accounts, anchors, users, relations, things, loaded)


def _relations(anchor: int, orgs: dict, closure) -> dict[str, list[int]]:
    above = sorted(((d, a) for a, dsc, d in closure if dsc == anchor and d > 0))
    below = sorted(((d, dsc) for a, dsc, d in closure if a == anchor and d > 0))
    line = {anchor} | {o for _d, o in above} | {o for _d, o in below}
    home = orgs[anchor]
    beside = sorted((o for o in orgs.values() if o.province_id == home.province_id and o.id not in line),
                    key=lambda o: (o.level != home.level, o.parent_id != home.parent_id, o.id))
    far = sorted((o for o in orgs.values() if o.province_id != home.province_id),
                 key=lambda o: (o.level != home.level, o.id))
    return {"own": [], "same": [anchor], "parent": [o for _d, o in above if o in orgs],
            "child": [o for _d, o in below if o in orgs], "sibling": [o.id for o in beside],
            "other": [o.id for o in far]}


def _staff_per_org(orgs: dict) -> dict[int, int]:
    """One staff account per organisation (a secretary of a branch, else an administrator), who
    owns that organisation's personal objects: someone else's job, upload, notification."""
    staff = {}
    for org in orgs.values():
        user = User(login=f"matrix{org.id:06d}", display_name=f"Cán bộ thử quyền staff #{org.id}",
                    password_hash=None, is_enabled=True, totp_secret="JBSWY3DPEHPK3PXP")
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleAssignment(user_id=user.id, org_id=org.id,
                                      role=SECRETARY if org.is_branch else ADMIN))
        staff[org.id] = user.id
    db.session.flush()
    return staff


def _orgs(orgs, staff, users) -> list[Thing]:
    return [Thing("org", o.id, o.id) for o in orgs.values()]


def _branches(orgs, staff, users) -> list[Thing]:
    return [Thing("branch", o.id, o.id) for o in orgs.values() if o.is_branch]


def _provinces(orgs, staff, users) -> list[Thing]:
    return [Thing("province", o.id, o.id) for o in orgs.values() if o.parent_id is None]


def _members(orgs, staff, users) -> list[Thing]:
    found = []
    for org in orgs.values():
        member = Member(org_id=org.id, full_name=f"An thử quyền member #{org.id}", gender="nam",
                        card_number=f"97{org.id:06d}", phone=f"0970{org.id:06d}", kind="official",
                        status="active", birth_date=date(1970, 1, 1), admission_date=date(2000, 1, 1),
                        official_date=date(2001, 1, 1))
        db.session.add(member)
        db.session.flush()
        found.append(Thing("member", member.id, org.id, extra={"card": member.card_number, "holders": ()}))
    for role, user_id in users.items():
        member = db.session.get(User, user_id).member if user_id else None
        if member is not None:
            found.append(Thing("member", member.id, member.org_id, owner_id=user_id,
                               extra={"card": member.card_number, "holders": _holders(member.id)}))
    for member in db.session.scalars(select(Member).where(Member.card_number.like(RANKED_CARDS + "%"))):
        found.append(Thing("member", member.id, member.org_id,
                           extra={"card": member.card_number, "holders": _holders(member.id)}))
    return found


RANKED_CARDS = "95"


def _ranked_members(orgs: dict) -> None:
    """In every organisation, members whose accounts hold a role one level up, at that
    organisation itself, and one level down: seen from each role, each stands above, beside or
    below it (World.rank), so the matrix tries every account route against every rank."""
    children: dict[int, list[int]] = {}
    for org in orgs.values():
        if org.parent_id in orgs:
            children.setdefault(org.parent_id, []).append(org.id)
    for org in orgs.values():
        places = [org.parent_id if org.parent_id in orgs else None, org.id,
                  min(children.get(org.id, []), default=None)]
        for n, place in enumerate(places):
            if place is None:
                continue
            member = Member(org_id=org.id, full_name=f"Bình thử quyền member #{org.id}", gender="nam",
                            card_number=f"{RANKED_CARDS}{n}{org.id:05d}", phone=f"0950{n}{org.id:05d}",
                            kind="official", status="active", birth_date=date(1971, 1, 1),
                            admission_date=date(2000, 1, 1), official_date=date(2001, 1, 1))
            db.session.add(member)
            db.session.flush()
            user = User(login=member.card_number, member_id=member.id, display_name="Cán bộ thử quyền",
                        password_hash=None, is_enabled=True, totp_secret="JBSWY3DPEHPK3PXP")
            db.session.add(user)
            db.session.flush()
            db.session.add(RoleAssignment(user_id=user.id, org_id=place,
                                          role=SECRETARY if orgs[place].is_branch else ADMIN))
    db.session.flush()


def _holders(member_id: int) -> tuple[int, ...]:
    """Where the accounts of a member (their own, their helpers') hold roles."""
    holders = select(User.id).where((User.member_id == member_id) | (User.helped_member_id == member_id))
    return tuple(db.session.scalars(select(RoleAssignment.org_id).where(RoleAssignment.user_id.in_(holders))))


def _resets(orgs, staff, users) -> list[Thing]:
    found = []
    for member in db.session.scalars(select(Member).where(
            Member.card_number.like("97%") | Member.card_number.like(RANKED_CARDS + "%"))):
        request = ResetRequest(member_id=member.id, org_id=member.org_id, status="open")
        db.session.add(request)
        db.session.flush()
        found.append(Thing("reset", request.id, member.org_id, extra={"holders": _holders(member.id)}))
    return found


def _roles(orgs, staff, users) -> list[Thing]:
    owners = {user_id for user_id in users.values() if user_id}
    ranked = select(User.id).where(User.login.like(RANKED_CARDS + "%"))
    rows = list(db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id.in_(owners | set(staff.values())) | RoleAssignment.user_id.in_(ranked))))
    held: dict[int, list[int]] = {}
    for ra in db.session.scalars(select(RoleAssignment).where(
            RoleAssignment.user_id.in_({ra.user_id for ra in rows}))):
        held.setdefault(ra.user_id, []).append(ra.org_id)
    return [Thing("role", ra.id, ra.org_id, owner_id=ra.user_id if ra.user_id in owners else None,
                  extra={"holders": tuple(held[ra.user_id])}) for ra in rows]


def _items(orgs, staff, users) -> list[Thing]:
    found, now = [], utcnow()
    for org in orgs.values():
        for nature in ("published", "draft"):
            item = ContentItem(org_id=org.id, kind="news", title=f"Tin thử quyền {nature} #{org.id}",
                               summary="Thử quyền truy cập", body=to_html("Nội dung thử quyền."),
                               status=nature, publish_at=now - timedelta(hours=1) if nature == "published" else None,
                               version=1, search_text=f"tin thu quyen {org.id}", created_by_id=staff[org.id])
            db.session.add(item)
            db.session.flush()
            attachment = Attachment(item_id=item.id, file=files.save_bytes(
                PDF, namespace="content", filename="biên bản.pdf", mimetype="application/pdf"))
            db.session.add(attachment)
            db.session.flush()
            found.append(Thing("item", item.id, org.id, nature=nature, extra={"attachment": attachment.id}))
    return found


def _feeds(orgs, staff, users) -> list[Thing]:
    found = []
    for org in (o for o in orgs.values() if o.parent_id is None):
        feed = FeedSource(org_id=org.id, name="Cổng thông tin tỉnh", url="https://example.org/rss")
        db.session.add(feed)
        db.session.flush()
        found.append(Thing("feed", feed.id, org.id))
    return found


def _notifications(orgs, staff, users) -> list[Thing]:
    found = []

    def add(nature, where, owner, title, **address):
        note = Notification(kind="announcement", title=title, url="/", **address)
        db.session.add(note)
        db.session.flush()
        found.append(Thing("notification", note.id, where, owner_id=owner, nature=nature))

    for org in orgs.values():
        add("addressed", org.id, None, f"Thông báo thử quyền addressed #{org.id}", org_id=org.id)
        add("personal", org.id, staff[org.id], f"Thông báo thử quyền personal #{org.id}",
            user_id=staff[org.id])
    for user_id in filter(None, users.values()):
        add("personal", None, user_id, "Thông báo riêng của đồng chí", user_id=user_id)
    return found


def _jobs(orgs, staff, users) -> list[Thing]:
    found = []
    owners = [(org.id, staff[org.id]) for org in orgs.values()] + [(None, u) for u in users.values() if u]
    for org_id, owner in owners:
        record = JobRecord(id=str(uuid.uuid4()), name="core.noop", args={}, status="finished",
                           progress=100, user_id=owner, dispatched=True, finished_at=utcnow())
        db.session.add(record)
        found.append(Thing("job", record.id, org_id, owner_id=owner))
    return found


def _uploads(orgs, staff, users) -> list[Thing]:
    from core.members import importing

    found = []
    homes = {u.id: u.home_org_id for u in db.session.scalars(select(User).where(
        User.id.in_([u for u in users.values() if u])))}
    owners = [(org.id, staff[org.id]) for org in orgs.values()] + list((h, u) for u, h in homes.items())
    for org_id, owner in owners:
        upload = importing.Upload(secrets.token_hex(16), owner, org_id, "csv", state="failed",
                                  error="Tệp thử quyền.")
        importing.save(upload)
        found.append(Thing("upload", upload.token, org_id, owner_id=owner))
    return found


def _imports(orgs, staff, users) -> list[Thing]:
    """An applied (empty) import batch per organisation by its staff, and one of each role's own."""
    from core.members.batches import MemberImport

    found = []
    homes = {u.id: u.home_org_id for u in db.session.scalars(select(User).where(
        User.id.in_([u for u in users.values() if u])))}
    owners = [(org.id, staff[org.id]) for org in orgs.values()] + [(h, u) for u, h in homes.items() if h]
    for org_id, owner in owners:
        batch = MemberImport(token=secrets.token_hex(16), org_id=org_id, user_id=owner, state="applied")
        db.session.add(batch)
        db.session.flush()
        found.append(Thing("import", batch.id, org_id, owner_id=owner))
    return found


# kind → (the plugin it belongs to, or None for the core; its maker)
MAKERS: dict[str, tuple[str | None, Callable]] = {
    "org": (None, _orgs), "branch": (None, _branches), "province": (None, _provinces), "member": (None, _members),
    "reset": (None, _resets), "role": (None, _roles), "item": (None, _items), "feed": (None, _feeds),
    "notification": (None, _notifications), "job": (None, _jobs), "upload": (None, _uploads),
    "import": (None, _imports),
}


# Each plugin's makers, parameters and marker words join these from the access module it ships
# (tests/security/plugin_parts.py).


# --- people -----------------------------------------------------------------------------------

def sign_in(app: Flask, accounts: dict, role: str) -> Person:
    """A client signed in as `role` (or only holding a sign-in page's token, when anonymous)."""
    visitor = Visitor(app.test_client())
    if role == ANONYMOUS:
        token = csrf_from(visitor.text("/login"))
        return Person(role, visitor.client, token, None, 0)
    visitor.login(accounts[role])
    token = csrf_from(visitor.text("/account"))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts[role]["login"]))
        return Person(role, visitor.client, token, user.id, user.home_org_id)
