"""The core's public API: every name a plugin may use, in one module.

Plugins import from here only (`from core.api import db, render, require, ...`):
`tests/core/test_contracts.py` fails when a module under `plugins/` imports any other `core.`
module. What is here keeps its meaning from release to release (a function may gain keyword
arguments, never lose one); what is not here may change without notice. docs/api.md describes
each group with an example."""
from __future__ import annotations

from core import files
from core.audit import audit
from core.auth.models import User
from core.auth.throttle import guesses_paused, wrong_guess
from core.content.models import ContentItem
from core.content.query import visible_to as content_visible_to
from core.demo import DemoWorld, demo_people
from core.events import (ContentChanged, ContentPublished, Event, MembersImported, MemberChanged, OrgChanged,
                         OrgMoved, OrgsMerged, PluginToggled, RoleGranted, RoleRevoked, UserLoggedIn, emit)
from core.extensions import db
from core.fields import CHOOSE, Boxes, Choice, Radio, at_most, offered, options, written
from core.jobs import Job, JobContext, JobRefused, enqueue
from core.localtime import local_time, local_to_utc, now_local, to_local, today_local, zone
from core.notify.service import notify, notify_audience
from core.org.models import (IN_GOOD_STANDING, Level, Member, MemberKind, MemberStatus, Organisation,
                             utcnow)
from core.org.roster import Audience, RoleHolder, RosterEntry, nearest_with_role, role_holders, roster
from core.org.scope import (ADMIN, SECRETARY, Permission, Role, branch_mates, can, get_scoped, get_visible,
                            granted_org_ids, has_any, home_of, is_id, publishing_ids, refuse, require,
                            scope_ids, sees)
from core.org.settings import Setting, set_setting, setting
from core.members.service import member_name_matches
from core.org.tree import ancestor_ids, ancestors, children, level_above, name_matches, subtree_ids
from core.plugins import (answers_for, calendar_for, current_province_id, hand_over, hookimpl, plugin_enabled,
                          report_for, spoken_text_for)
from core.security import safe_next
from core.text import fold
from core.types import (CalendarEntry, HomeCard, NavLink, NotificationKind, PublishedAnswer, Question,
                        ReportSection, SpokenText)
from core.web import (Page, already_done, commit_keyed, commit_once, new_idempotency_key, paginate,
                      remember_done, render)

__all__ = [
    # the plugin's side of the hooks
    "hookimpl", "NavLink", "HomeCard", "CalendarEntry", "ReportSection", "Question", "PublishedAnswer",
    "SpokenText",
    "NotificationKind", "Permission", "Role", "Job", "JobContext", "Setting", "DemoWorld", "demo_people",
    # the database, and the core's records a plugin reads
    "db", "utcnow", "User", "Member", "MemberKind", "MemberStatus", "IN_GOOD_STANDING", "Level",
    "Organisation", "ContentItem",
    # who may see and change what: the one scoping helper
    "ADMIN", "SECRETARY", "can", "require", "refuse", "get_scoped", "get_visible", "scope_ids",
    "granted_org_ids",
    "has_any", "is_id", "home_of", "publishing_ids", "sees", "branch_mates", "content_visible_to",
    # the organisation tree, rosters and audiences
    "ancestors", "ancestor_ids", "children", "level_above", "subtree_ids", "name_matches",
    "member_name_matches",
    "roster", "RosterEntry",
    "role_holders", "RoleHolder", "nearest_with_role", "Audience",
    # pages and forms
    "render", "paginate", "Page", "new_idempotency_key", "already_done", "remember_done",
    "commit_once", "commit_keyed", "safe_next", "fold",
    # short codes typed by people: wrong guesses counted in the database
    "guesses_paused", "wrong_guess",
    # choice fields: (value, label) pairs, a value not offered refused in Vietnamese
    "Choice", "Radio", "Boxes", "CHOOSE", "options", "offered",
    # typed text: not empty, not longer than a limit, each said in Vietnamese
    "written", "at_most",
    # files: uploads checked by content, served with ranges, watermarked, encrypted at rest
    "files",
    # side effects: jobs, events, the inbox, the audit log
    "enqueue", "JobRefused", "emit", "Event", "UserLoggedIn", "MemberChanged", "OrgChanged",
    "PluginToggled", "ContentPublished", "ContentChanged", "OrgMoved", "OrgsMerged", "RoleGranted",
    "RoleRevoked", "MembersImported", "notify", "notify_audience", "audit",
    # local time: the province's time zone, never the server's
    "zone", "now_local", "today_local", "to_local", "local_to_utc", "local_time",
    # settings and plugins
    "setting", "set_setting", "current_province_id", "plugin_enabled", "calendar_for", "report_for", "hand_over",
    "answers_for", "spoken_text_for",
]
