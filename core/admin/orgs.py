"""Browse and change the organisation tree under an administrator, one level per page.

An administrator changes what lies *below* the organisation they administer. The organisation
itself is renamed, moved or merged by the level above; only a province, having no level
above, is renamed by its own administrator."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.admin.forms import ChildForm, ConfirmForm, MoveForm, OrgNameForm
from core.admin.views import LEVEL_TITLES, bp, own_orgs, scoped_org, strictly_below_own
from core.audit import audit
from core.collation import by_name
from core.events import OrgChanged, emit
from core.extensions import db
from core.org.models import CHILD_LEVELS, Level, Member, MemberStatus, OrgClosure, Organisation
from core.org.scope import scope_ids
from core.org.tree import DuplicateName, TreeError, create_org, merge_orgs, move_org, name_matches, subtree_ids
from core.web import already_done, commit_keyed, new_idempotency_key, paginate, render

PERM = "orgs.manage"
IN_GOOD_STANDING = (MemberStatus.ACTIVE.value, MemberStatus.EXEMPT.value)


def below_own(org: Organisation) -> bool:
    """Does `org` lie strictly under an organisation the user administers?"""
    return bool(strictly_below_own([org.id], PERM))


def may_rename(org: Organisation) -> bool:
    return org.level == Level.PROVINCE.value or below_own(org)


def member_counts(org_ids: list[int]) -> dict[int, int]:
    """Members in good standing in each organisation's whole subtree, in one query."""
    if not org_ids:
        return {}
    stmt = (select(OrgClosure.ancestor_id, func.count(Member.id))
            .join(Member, Member.org_id == OrgClosure.descendant_id)
            .where(OrgClosure.ancestor_id.in_(org_ids), Member.status.in_(IN_GOOD_STANDING))
            .group_by(OrgClosure.ancestor_id))
    return dict(db.session.execute(stmt).all())


def trail(org: Organisation) -> list[Organisation]:
    """The organisations above `org` that the user may open, top first."""
    stmt = (select(Organisation).join(OrgClosure, OrgClosure.ancestor_id == Organisation.id)
            .where(OrgClosure.descendant_id == org.id, OrgClosure.depth > 0,
                   Organisation.id.in_(scope_ids(current_user, PERM)))
            .order_by(OrgClosure.depth.desc()))
    return list(db.session.scalars(stmt))


def child_form(org: Organisation, formdata=None) -> ChildForm | None:
    levels = CHILD_LEVELS[Level(org.level)]
    if not levels:
        return None
    form = ChildForm(formdata=formdata, prefix="child")
    form.level.choices = [(level.value, LEVEL_TITLES[level.value]) for level in levels]
    if formdata is None:  # most new organisations are branches: offer that first
        form.level.data = (Level.BRANCH if Level.BRANCH in levels else levels[0]).value
    return form


def org_page(org: Organisation, *, rename=None, child=None, key=None, status=200):
    children = paginate(select(Organisation).where(
        Organisation.parent_id == org.id, Organisation.active.is_(True))
        .order_by(by_name(Organisation.name), Organisation.id))
    counts = member_counts([org.id] + [c.id for c in children.items])
    return render("admin/org.html", org=org, trail=trail(org), children=children, counts=counts,
                  below_own=below_own(org), may_rename=may_rename(org),
                  rename=rename if rename is not None else OrgNameForm(
                      formdata=None, prefix="rename", name=org.name),
                  child=child if child is not None else child_form(org, formdata=None),
                  key=key or new_idempotency_key(), status=status, private=True)


def changed(org: Organisation, change: str) -> None:
    """Tell the plugins, once the commit that follows is made."""
    emit(OrgChanged(org.province_id, current_user.id, org.id, change))


@bp.get("/orgs")
@login_required
def orgs():
    """The administrator opens the organisation they administer (or picks one, if several)."""
    tops = own_orgs(PERM)
    if len(tops) == 1:
        return org_page(tops[0])
    return render("admin/org_tops.html", tops=tops, counts=member_counts([o.id for o in tops]),
                  private=True)


@bp.get("/orgs/<int:org_id>")
@login_required
def org(org_id: int):
    """One organisation with its direct units, a page at a time."""
    return org_page(scoped_org(org_id, PERM))


@bp.post("/orgs/<int:org_id>/rename")
@login_required
def rename(org_id: int):
    """Give an organisation below the administrator a new name."""
    org = scoped_org(org_id, PERM)
    form = OrgNameForm(prefix="rename")
    if not may_rename(org):
        form.name.errors = [_("The organisation you administer is renamed by the level above.")]
        return org_page(org, rename=form, status=400)
    if not form.validate():
        return org_page(org, rename=form, status=400)
    old, org.name = org.name, form.name.data.strip()
    audit("org.renamed", f"org:{org.id}", old=old, new=org.name)
    changed(org, "renamed")
    db.session.commit()
    flash(_("The name is now “%(name)s”.", name=org.name), "success")
    return redirect(url_for("admin.org", org_id=org.id))


@bp.post("/orgs/<int:org_id>/children")
@login_required
def create_child(org_id: int):
    """Set up a new organisation under this one (once, however often the form is sent)."""
    org = scoped_org(org_id, PERM)
    key = request.form.get("idempotency_key")
    done = already_done(key)
    if done:
        return done
    form = child_form(org, formdata=request.form)
    if form is None:
        return org_page(org, status=400)
    if not form.validate():
        return org_page(org, child=form, key=key, status=400)
    try:
        new = create_org(form.name.data, form.level.data, org)
    except TreeError as error:
        db.session.rollback()
        (form.name if isinstance(error, DuplicateName) else form.level).errors = [str(error)]
        return org_page(org, child=form, key=key, status=400)
    audit("org.created", f"org:{new.id}", parent=org.id, level=new.level, name=new.name)
    changed(new, "created")
    if (earlier := commit_keyed(key, url_for("admin.org", org_id=new.id))) is not None:
        return earlier
    flash(_("“%(name)s” has been set up.", name=new.name), "success")
    return redirect(url_for("admin.org", org_id=new.id))


def parent_levels(org: Organisation) -> list[str]:
    return [above.value for above, below in CHILD_LEVELS.items() if Level(org.level) in below]


def move_page(org: Organisation, form: MoveForm, status: int = 200):
    if not below_own(org):
        return render("admin/org_move.html", org=org, form=form, places=None, status=status,
                      private=True)
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Organisation).where(
        Organisation.id.in_(scope_ids(current_user, PERM)), Organisation.active.is_(True),
        Organisation.level.in_(parent_levels(org)), Organisation.id != org.parent_id,
        Organisation.id.not_in(subtree_ids(org.id)))
    if q:
        stmt = stmt.where(name_matches(q))
    places = paginate(stmt.order_by(by_name(Organisation.name), Organisation.id))
    above = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({p.parent_id for p in places.items if p.parent_id})))}
    return render("admin/org_move.html", org=org, form=form, places=places, above=above, q=q,
                  status=status, private=True)


@bp.route("/orgs/<int:org_id>/move", methods=["GET", "POST"])
@login_required
def move(org_id: int):
    """Move an organisation (with everything under it) to another place in the subtree."""
    org = scoped_org(org_id, PERM)
    form = MoveForm()
    if not below_own(org):
        form.parent_id.errors = [_("The organisation you administer is moved by the level above.")]
        return move_page(org, form, status=400 if request.method == "POST" else 200)
    if request.method == "GET":
        return move_page(org, form)
    if not form.validate():
        return move_page(org, form, status=400)
    new_parent = scoped_org(int(form.parent_id.data), PERM)
    old_parent_id = org.parent_id
    try:
        move_org(org, new_parent, current_user.id)
    except TreeError as error:
        db.session.rollback()
        form.parent_id.errors = [str(error)]
        return move_page(org, form, status=400)
    audit("org.moved", f"org:{org.id}", old_parent=old_parent_id, new_parent=new_parent.id)
    changed(org, "moved")
    db.session.commit()
    flash(_("“%(name)s” now belongs to “%(parent)s”.", name=org.name, parent=new_parent.name),
          "success")
    return redirect(url_for("admin.org", org_id=org.id))


def siblings(org: Organisation):
    return select(Organisation).where(
        Organisation.parent_id == org.parent_id, Organisation.level == org.level,
        Organisation.active.is_(True), Organisation.id != org.id,
        Organisation.id.in_(scope_ids(current_user, PERM)))


@bp.get("/orgs/<int:org_id>/merge")
@login_required
def merge_choose(org_id: int):
    """Pick the organisation of the same level, beside this one, to fold it into."""
    org = scoped_org(org_id, PERM)
    targets = paginate(siblings(org).order_by(by_name(Organisation.name), Organisation.id))
    return render("admin/org_merge.html", org=org, targets=targets, below_own=below_own(org),
                  private=True)


@bp.route("/orgs/<int:org_id>/merge/<int:target_id>", methods=["GET", "POST"])
@login_required
def merge(org_id: int, target_id: int):
    """Confirm, then fold this organisation into the other: its members and units move."""
    org = scoped_org(org_id, PERM)
    target = scoped_org(target_id, PERM)
    form = ConfirmForm()
    problem = None
    if not below_own(org):
        problem = _("The organisation you administer is merged by the level above.")
    elif target.id == org.id or target.parent_id != org.parent_id or target.level != org.level:
        problem = _("Only two organisations of the same level, side by side, can be merged.")
    members = db.session.scalar(select(func.count(Member.id)).where(Member.org_id == org.id))
    units = db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.parent_id == org.id, Organisation.active.is_(True)))
    if problem or request.method == "GET" or not form.validate():
        return render("admin/org_merge_confirm.html", org=org, target=target, form=form,
                      members=members, units=units, problem=problem, private=True,
                      status=400 if problem and request.method == "POST" else 200)
    try:
        moved = merge_orgs(org, target, current_user.id)
    except TreeError as error:  # a feature could not move its records: nothing is merged
        db.session.rollback()
        return render("admin/org_merge_confirm.html", org=org, target=target, form=form,
                      members=members, units=units, problem=str(error), private=True, status=409)
    audit("org.merged", f"org:{org_id}", into=target_id, members=moved, units=units)
    changed(org, "merged")
    changed(target, "grown")
    db.session.commit()
    flash(_("“%(source)s” has been merged into “%(target)s”: %(n)s members moved.",
            source=org.name, target=target.name, n=moved), "success")
    return redirect(url_for("admin.org", org_id=target.id))

