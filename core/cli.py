"""`flask` commands: the database, the demo province, jobs, the operator's account rescue."""
from __future__ import annotations

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import with_appcontext


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_group)
    app.cli.add_command(accounts_group)


@click.group("db")
def db_group():
    """Bring the database schema up to date (core and every loaded plugin)."""


@db_group.command("upgrade")
@click.argument("revision", default="loaded")
@with_appcontext
def db_upgrade(revision):
    """Upgrade to REVISION (default: the head of the core's branch and of each loaded plugin's).

    Installed plugins that this deployment does not load keep their tables as they are (or get
    none); "heads" upgrades every installed plugin's branch too."""
    if revision != "loaded":
        flask_migrate.upgrade(revision=revision)
        return
    for label in loaded_branches():
        flask_migrate.upgrade(revision=f"{label}@head")


def loaded_branches() -> list[str]:
    """The migration branches of the core and of the loaded plugins that have migrations."""
    from pathlib import Path

    from core.plugins import host

    labels = ["core"]
    for name, info in host(current_app).plugins.items():
        versions = Path(info.package.__file__).parent / "migrations" / "versions"
        if versions.is_dir() and any(versions.glob("*.py")):
            labels.append(name)
    return labels


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision):
    """Downgrade to REVISION ("base" removes everything)."""
    flask_migrate.downgrade(revision=revision)


@db_group.command("current")
@with_appcontext
def db_current():
    """Show the revisions the database is at."""
    flask_migrate.current()


@db_group.command("heads")
@with_appcontext
def db_heads():
    """Show the head of the core's branch and of every plugin's branch."""
    flask_migrate.heads(verbose=True)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True, help="compare the models with the database")
@click.option("--head", default="core@head", help='e.g. "myplugin@head", or "base" for a new branch')
@click.option("--branch-label", default=None, help="a new plugin's name, with --head base")
@click.option("--depends-on", default=None, help='a new plugin branch\'s first migration: "core@head"')
@click.option("--version-path", default=None, help="a new plugin's migrations/versions folder")
@click.option("--rev-id", default=None, help='a readable id, e.g. "myplugin_0002"')
@with_appcontext
def db_revision(message, autogenerate, head, branch_label, depends_on, version_path, rev_id):
    """Write a new migration on the core's or a plugin's branch (see plugins/README.md)."""
    from alembic import command

    config = current_app.extensions["migrate"].migrate.get_config(
        None, opts=["autogenerate"] if autogenerate else None)
    command.revision(config, message=message, autogenerate=autogenerate, head=head,
                     branch_label=branch_label, depends_on=depends_on, version_path=version_path,
                     rev_id=rev_id)


@click.command("seed-demo")
@click.option("--members", default=400, show_default=True, help="members in the demo province")
@with_appcontext
def seed_demo(members):
    """Build a demo province and a small second province; write instance/demo-accounts.json."""
    from core.demo import seed

    path = seed(members)
    click.echo(f"demo accounts written to {path}")


@click.group("jobs")
def jobs_group():
    """Background jobs."""


def _queue_left_behind() -> None:
    """What a failure left behind: jobs kept while Redis was down, those whose worker died, and
    events a crash or a failing listener left undelivered."""
    from core.jobs import flush_pending
    from core.worker import recover_abandoned
    from core.outbox import deliver_due

    click.echo(f"{flush_pending()} kept job(s) queued")
    click.echo(f"{recover_abandoned()} abandoned job(s) queued again")
    click.echo(f"{deliver_due()} event(s) delivered")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--queue", "queues", multiple=True, metavar="NAME",
              help='listen on this queue only (repeatable; "default": the deployment\'s own); '
                   "without it, on every queue the jobs name")
@with_appcontext
def jobs_worker(burst, queues):
    """Run an RQ worker for this app (needs REDIS_URL); first queue what a failure left behind."""
    from redis import Redis
    from rq import Queue, Worker

    from core.extensions import db
    from core.jobs import queue_name, queue_names
    from core.plugins import host

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    names = ([queue_name(current_app, name) for name in queues] if queues
             else queue_names(current_app, host().jobs.values()))
    _queue_left_behind()
    # Each job runs in a fork of this process: it must not inherit our database connections.
    db.session.remove()
    db.engine.dispose()
    worker = Worker([Queue(name, connection=connection) for name in names], connection=connection)
    # RQ waits up to 60 s between tries while Redis is away, so after an outage the jobs kept
    # meanwhile could sit a minute more: try every 10 s at most.
    worker.max_connection_wait_time = 10
    worker.work(burst=burst)


@jobs_group.command("flush")
@with_appcontext
def jobs_flush():
    """Queue the jobs that were kept while Redis was unreachable."""
    from core.jobs import flush_pending

    click.echo(f"{flush_pending()} job(s) queued")


@jobs_group.command("tick")
@with_appcontext
def jobs_tick():
    """Start the scheduled jobs whose time has come (run it every minute from cron or systemd);
    first queue the jobs kept while Redis was down and those whose worker died."""
    from core.schedule import tick

    _queue_left_behind()
    started = tick()
    click.echo(f"{len(started)} scheduled job(s) started")


@click.group("accounts")
def accounts_group():
    """The operator's path for accounts nobody in the app outranks (a province administrator)."""


def _account(login: str):
    from core.auth.accounts import find_user

    user = find_user(login)
    if user is None:
        raise click.ClickException(f"no account signs in as {login!r}")
    return user


@accounts_group.command("code")
@click.argument("login")
@with_appcontext
def accounts_code(login):
    """Print a one-time code for the member behind LOGIN (audited; the code itself is not kept)."""
    from core.auth.accounts import open_request
    from core.extensions import db
    from core.members.service import hand_over_code

    user = _account(login)
    if user.member is None or not user.member.in_good_standing:
        raise click.ClickException("this account has no member record in good standing: a code "
                                   "resets a member's password")
    reset = open_request(user.member)
    db.session.flush()
    code = hand_over_code(reset, None, source="cli")
    db.session.commit()
    hours = current_app.config["RESET_CODE_HOURS"]
    click.echo(f"one-time code for {user.login}: {code[:4]} {code[4:]} (works once, within {hours} hours, "
               "on the sign-in page: Forgot password → I have a code)")


@accounts_group.command("clear-second-factor")
@click.argument("login")
@with_appcontext
def accounts_clear_second_factor(login):
    """Clear the authenticator of LOGIN (a lost phone) and end all its sessions (audited)."""
    from core.audit import audit
    from core.auth.sessions import end_all_sessions
    from core.extensions import db

    user = _account(login)
    from core.auth import second_factor

    second_factor.clear(user)
    end_all_sessions(user.id)
    audit("second_factor.cleared", f"user:{user.id}", source="cli")
    db.session.commit()
    click.echo(f"authenticator of {user.login} cleared; every session of it ended")
