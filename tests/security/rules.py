"""Who may use each route: the access matrix's expectations, written from DESIGN.md's rules and
the organisation scope (core/org/scope.py), not copied from the views.

- A role reaches only its own subtree: its organisation and what lies below ("same", "child",
  and its own objects); never above ("parent"), beside ("sibling") or another province.
- A member (and a family helper, who reads for a member) sees what their branch and the
  organisations above it publish, and their own things; nothing of other branches.
- A family helper only reads. Administrators hold every right in their subtree, secretaries the
  branch's (members, password codes, publishing, a plugin's branch tools); a right marked
  `top` is a province administrator's only.
- Anonymous visitors are sent to sign in, except on the public pages.
- Acting on an account — a member record's edit, status, transfer, a one-time code, appointing a
  person, clearing a second factor — also needs rank: every role held by the accounts attached
  to it (the member's own, their family helpers') lies strictly below the user's organisation
  (`Outranks`; world.py RANKS). A record in scope whose accounts hold a role at or above the
  user's level is refused with 403 and the reason (the user can see it, so not 404); the level
  above does it, or for a province administrator the server's operator (`flask accounts`).

Every route of the app must have an entry here: a new route fails the matrix until its rule is
stated. A route's objects are named by its parameters (tests/security/world.py, PARAM_KINDS);
`query`/`form` name an organisation or object passed in the query string or the posted form."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.org.scope import ADMIN, SECRETARY

STAFF = (ADMIN, SECRETARY)
ADMINS = (ADMIN,)
REACH = (None, "own", "same", "child")  # None: no object named, the user's own scope
ABOVE_OR_HOME = ("same", "parent")  # what is published to the user's branch reaches it from here

# The roles of the demo as the policy sees them: what kind of staff, at which level.
STAFF_OF = {"secretary": SECRETARY, "secretary_other_branch": SECRETARY, "grassroots_admin": ADMIN,
            "district_admin": ADMIN, "province_admin": ADMIN, "other_province_admin": ADMIN}
AT_PROVINCE = {"province_admin", "other_province_admin"}
HELPERS = {"family_helper"}


@dataclass(frozen=True)
class Case:
    """One try: a role, and how the object tried stands to it (None: no object)."""

    role: str
    relation: str | None = None
    nature: str | None = None  # "published"/"draft" items, "personal"/"addressed" notifications


class Rule:
    public = False
    reads_nature = False  # whether the object's nature (draft, personal…) changes the answer

    def allows(self, case: Case) -> bool:
        raise NotImplementedError

    def __or__(self, other):
        return AnyOf(self, other)

    def __and__(self, other):
        return AllOf(self, other)


class Public(Rule):
    """Anyone, signed in or not."""
    public = True

    def allows(self, case):
        return True


class SignedIn(Rule):
    """Anyone signed in; about their own account or what reaches everyone."""

    def allows(self, case):
        return True


@dataclass(frozen=True)
class Staff(Rule):
    """Staff holding `permission` somewhere: a secretary or administrator as `roles` say."""
    permission: str
    roles: tuple = STAFF
    top: bool = False

    def allows(self, case):
        return STAFF_OF.get(case.role) in self.roles and (not self.top or case.role in AT_PROVINCE)


@dataclass(frozen=True)
class Scoped(Staff):
    """`Staff`, on an object in their own subtree."""

    def allows(self, case):
        return super().allows(case) and case.relation in REACH


class Published(Rule):
    """Published to the user's branch or above it."""
    reads_nature = True

    def allows(self, case):
        return case.nature == "published" and case.relation in ABOVE_OR_HOME


class Inbox(Rule):
    """A notification sent to the user, or to their branch or an organisation above it."""
    reads_nature = True

    def allows(self, case):
        return ((case.nature == "personal" and case.relation == "own")
                or (case.nature == "addressed" and case.relation in ABOVE_OR_HOME))


class Outranks(Rule):
    """The object's accounts hold no role, or only roles strictly below the user's level."""
    reads_nature = True

    def allows(self, case):
        return case.nature in (None, "no role", "role below")


class AnyRank(Rule):
    """Whatever rank the object's accounts hold (so the matrix tries every rank)."""
    reads_nature = True

    def allows(self, case):
        return True


class Below(Rule):
    """An object strictly below the user's organisation (someone else's, in the subtree)."""

    def allows(self, case):
        return case.relation == "child"


class Own(Rule):
    """The user's own object (a job they started, a file they uploaded)."""

    def allows(self, case):
        return case.relation == "own"


class Home(Rule):
    """The user's own branch (the one they belong to, help in, or administer)."""

    def allows(self, case):
        return case.relation in (None, "same")


class Writes(Rule):
    """Not a family helper: they only read."""

    def allows(self, case):
        return case.role not in HELPERS


class AnyOf(Rule):
    """Allowed when any of the rules allows (`all` for AllOf)."""
    join = any

    def __init__(self, *rules: Rule):
        self.rules = rules
        self.reads_nature = any(rule.reads_nature for rule in rules)

    def allows(self, case):
        return type(self).join(rule.allows(case) for rule in self.rules)


class AllOf(AnyOf):
    join = all


@dataclass(frozen=True)
class Route:
    """The rule of one endpoint. `post` when posting differs from reading; `query`/`form` map a
    query-string or form field to the kind of object it names (tried in every relation);
    `refused` the statuses that count as a refusal (an organisation not among a form's choices
    is answered 400, as a wrong choice); `into` a second field naming where an object goes (a
    move, merge, transfer): an allowed object sent out of reach is refused, 400 or 404, and
    nothing changes; `person` a form field naming a person by login (an appointment): an
    allowed post is tried with a person of every rank in the user's scope, the rank deciding;
    `last` for posts whose effect would spoil later tries."""
    get: Rule | None
    post: Rule | None = None
    query: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    into: dict = field(default_factory=dict)
    person: str | None = None
    refused: tuple = (403, 404)
    last: bool = False

    def rule(self, method: str) -> Rule:
        return (self.post or self.get) if method == "POST" else self.get


PUBLIC, SIGNED_IN = Public(), SignedIn()
READ = Published() | Scoped("content.publish")  # an item: published to me, or one I manage
MANAGE, RESET = Scoped("members.manage") & Outranks(), Scoped("accounts.reset") & Outranks()
BATCH = (Own() | Below()) & Scoped("members.import", ADMINS)  # the importer, or the levels above

RULES: dict[str, Route] = {
    # public: signing in, files, the home-screen app, health
    "assets.serve": Route(PUBLIC),
    "auth.login": Route(PUBLIC),
    "auth.forgot": Route(PUBLIC),
    "auth.forgot_sent": Route(PUBLIC),
    "auth.reset": Route(PUBLIC),
    "auth.logout": Route(None, post=PUBLIC, last=True),
    "auth.display": Route(PUBLIC),
    "home.healthz": Route(PUBLIC),
    "pwa.manifest": Route(PUBLIC),
    "pwa.offline": Route(PUBLIC),
    "pwa.service_worker": Route(PUBLIC),
    # anyone signed in: their home, account and inbox, what is published to them
    "home.index": Route(SIGNED_IN),
    "home.manage": Route(SIGNED_IN),
    "calendar.index": Route(SIGNED_IN),
    "auth.account": Route(SIGNED_IN),
    "auth.end_other_sessions": Route(None, post=SIGNED_IN),
    "auth.authenticator": Route(SIGNED_IN),
    "auth.authenticator_off": Route(None, post=SIGNED_IN),
    "auth.backup_codes": Route(None, post=SIGNED_IN),
    "auth.second_factor": Route(SIGNED_IN),
    "notify.index": Route(SIGNED_IN),
    "notify.prefs": Route(SIGNED_IN),
    "notify.read_all": Route(None, post=SIGNED_IN),
    "notify.open_": Route(Inbox()),
    "jobs.status": Route(Own()),
    "jobs.mine": Route(SIGNED_IN),
    "content.announcements": Route(SIGNED_IN),
    "content.life": Route(SIGNED_IN),
    "content.life_section": Route(SIGNED_IN),
    "library.news_list": Route(SIGNED_IN),
    "library.documents_list": Route(SIGNED_IN),
    "library.search_all": Route(SIGNED_IN),
    "library.bookmarks": Route(SIGNED_IN),
    "library.bookmark": Route(None, post=Published()),
    "content.read": Route(READ),
    "content.download": Route(READ),
    # members, inside the staff's subtree
    "members.index": Route(Scoped("members.view"), query={"org": "org"}),
    "members.detail": Route(Scoped("members.view") & AnyRank()),  # seen, whoever holds the account
    "members.add": Route(Staff("members.manage"), post=Scoped("members.manage"),
                         form={"org_id": "branch"}, refused=(400, 404)),
    "members.edit": Route(MANAGE),
    "members.transfer": Route(MANAGE, into={"to_org": "branch"}),
    "members.status": Route(MANAGE),
    "members.resets": Route(Staff("accounts.reset")),
    "members.code": Route(RESET),
    "members.give_code": Route(None, post=RESET),
    "members.give_code_to_member": Route(None, post=RESET),
    "imports.start": Route(Staff("members.import", ADMINS), post=Scoped("members.import", ADMINS),
                           form={"org_id": "org"}),
    "imports.show": Route(Own() & Scoped("members.import", ADMINS)),
    "imports.apply": Route(None, post=Own() & Scoped("members.import", ADMINS), form={"token": "upload"}),
    "imports.discard": Route(None, post=Own() & Scoped("members.import", ADMINS), form={"token": "upload"},
                             last=True),
    "imports.batch": Route(BATCH),
    "imports.undo": Route(None, post=BATCH),
    # the organisation tree, roles and features: administrators in their subtree
    "admin.orgs": Route(Staff("orgs.manage", ADMINS)),
    "admin.org": Route(Scoped("orgs.manage", ADMINS)),
    "admin.create_child": Route(None, post=Scoped("orgs.manage", ADMINS)),
    "admin.rename": Route(None, post=Scoped("orgs.manage", ADMINS)),
    "admin.move": Route(Scoped("orgs.manage", ADMINS), into={"parent_id": "org"}),
    "admin.merge_choose": Route(Scoped("orgs.manage", ADMINS)),
    "admin.merge": Route(Scoped("orgs.manage", ADMINS), into={"target_id": "org"}),
    "admin.roles": Route(Scoped("roles.delegate", ADMINS), query={"org": "org"}),
    # appointing judges the person; revoking the one role row (a role in the subtree is the
    # user's to take back, whoever holds it); clearing a second factor judges the person
    "admin.grant": Route(Scoped("roles.delegate", ADMINS) & Outranks(), query={"org": "org"},
                         form={"org_id": "org"}, person="login", last=True),  # an appointment changes ranks
    "admin.revoke": Route(None, post=Scoped("roles.delegate", ADMINS) & AnyRank(), last=True),
    "admin.clear_second_factor": Route(None, post=Scoped("roles.delegate", ADMINS) & Outranks(), last=True),
    "admin.plugins": Route(Staff("plugins.manage", ADMINS, top=True)),
    "admin.plugins_for": Route(Scoped("plugins.manage", ADMINS, top=True)),
    "admin.toggle": Route(None, post=Scoped("plugins.manage", ADMINS, top=True)),
    "admin.theme": Route(None, post=Scoped("plugins.manage", ADMINS, top=True)),
    "admin.settings": Route(Staff("settings.manage", ADMINS)),
    "admin.settings_for": Route(Scoped("settings.manage", ADMINS)),
    # publishing, inside the publisher's subtree; the portal feed is the province's
    "content.manage": Route(Staff("content.publish")),
    "content.choose_kind": Route(Staff("content.publish")),
    "content.new": Route(Staff("content.publish"), post=Scoped("content.publish"), form={"org_id": "org"}),
    "content.edit": Route(Scoped("content.publish"), into={"org_id": "org"}),
    "content.withdraw": Route(None, post=Scoped("content.publish"), last=True),
    "content.republish": Route(None, post=Scoped("content.publish")),
    "content.remove_file": Route(None, post=Scoped("content.publish"), last=True),
    "content.history": Route(Scoped("content.publish")),
    "content.version": Route(Scoped("content.publish")),
    "feeds.index": Route(Staff("content.publish", top=True), post=Scoped("content.publish", top=True),
                         form={"org_id": "province"}, refused=(400, 404)),
    "feeds.check": Route(None, post=Scoped("content.publish")),
    "feeds.remove": Route(None, post=Scoped("content.publish"), last=True),
}

# Each plugin's rules join RULES from the access module it ships (tests/security/plugin_parts.py).
