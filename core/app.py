"""The application factory: a list of configure steps, nothing done at import time."""
from __future__ import annotations

import logging
import os
import secrets
import tomllib
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from core.extensions import babel, compress, csrf, db, htmx, login_manager, migrate
from core.paths import ROOT
log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    """Build the app for one deployment; `config` overrides every file and variable."""
    config = config or {}
    instance = config.get("INSTANCE_PATH") or os.environ.get("SOTAY_INSTANCE") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=instance,
                static_folder=None, template_folder=None)
    configure_settings(app, config)
    configure_database(app)
    configure_extensions(app)
    configure_plugins(app)
    configure_blueprints(app)
    configure_web(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, overrides: dict) -> None:
    """Layer config: default.toml, the deployment file, the environment, then overrides."""
    app.config.from_file(str(ROOT / "config" / "default.toml"), load=tomllib.load, text=False)
    deployment = overrides.get("SOTAY_CONFIG") or os.environ.get("SOTAY_CONFIG")
    if deployment:
        app.config.from_file(str(ROOT / deployment), load=tomllib.load, text=False)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FILES_KEY"):
        if os.environ.get(name):
            key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
            app.config[key] = os.environ[name]
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////") and ":memory:" not in uri:
        uri = "sqlite:///" + str(Path(app.instance_path) / uri.removeprefix("sqlite:///"))
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # CSRF tokens live as long as the session, so a slow typist is never refused.
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    app.config["COMPRESS_REGISTER"] = bool(app.config.get("COMPRESS_APP"))
    # The session loader renews the cookie when it slides the server-side expiry (every few
    # minutes), instead of a Set-Cookie on every response.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("SESSION_COOKIE_SECURE", False)


def _instance_secret(path: Path) -> str:
    """Keep one random secret per instance so sessions survive restarts."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL with synchronous=NORMAL: ~15x the inserts per second of SQLite's defaults; the "vi"
    collation for lists of names."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # Names in Vietnamese order (core.collation; PostgreSQL has ICU's "vi-x-icu").
        from core.collation import register_sqlite

        register_sqlite(dbapi_connection)


def configure_database(app: Flask) -> None:
    """Bind SQLAlchemy and Alembic; every plugin's migrations join the version locations."""
    import core.models  # noqa: F401  (registers the core tables on db.metadata)

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    # Flask-Migrate's own commands stay under `flask alembic`; `flask db` is ours (core.cli),
    # because plugins' migration branches make "heads", not "head", the target of an upgrade.
    migrate.init_app(app, db, directory=str(ROOT / "core" / "migrations"), command="alembic",
                     render_as_batch=True)
    if _version_locations not in migrate.configure_callbacks:
        migrate.configure(_version_locations)


def _version_locations(config):
    """Each installed plugin's migrations/versions folder is its own Alembic branch.

    Installed, not only loaded: a database upgraded while a plugin was loaded records that
    plugin's revision, and Alembic must still find it after the plugin leaves PLUGINS."""
    from flask import current_app

    from core.plugins import installed_folders

    folders = [str(ROOT / "core" / "migrations" / "versions")]
    for folder in installed_folders(current_app):
        versions = folder / "migrations" / "versions"
        if versions.is_dir():
            folders.append(str(versions))
    config.set_main_option("version_path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(folders))
    return config


def configure_extensions(app: Flask) -> None:
    """Initialise login, CSRF, translations, htmx helpers and compression."""
    from core.auth.sessions import load_session_user
    from core.i18n import translation_directories
    from core.localtime import reader_zone

    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are revocable server-side instead
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(app))
    # Times are shown in the reader's province's time zone, never the server's.
    babel.init_app(app, locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"],
                   timezone_selector=reader_zone)
    htmx.init_app(app)
    compress.init_app(app)


def configure_plugins(app: Flask) -> None:
    """Build the plugin manager for this app and keep it in app.extensions."""
    from core.org import settings
    from core.plugins import PluginHost

    app.extensions["sotay.plugins"] = PluginHost.build(app)
    settings.init_app(app)


def configure_blueprints(app: Flask) -> None:
    """Register the core's blueprints, then those the plugins return."""
    from core.plugins import host
    from core.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    for blueprint in core_blueprints():
        app.register_blueprint(blueprint)
    for plugin_name, blueprint in host(app).plugin_blueprints():
        app.register_blueprint(blueprint)
        host(app).blueprint_owner[blueprint.name] = plugin_name


def core_blueprints():
    """The blueprints of the core itself."""
    from core.admin.views import bp as admin_bp
    from core.assets import bp as assets_bp
    from core.auth.views import bp as auth_bp
    from core.calendar import bp as calendar_bp
    from core.home import bp as home_bp
    from core.jobs import bp as jobs_bp
    from core.members.import_views import bp as imports_bp
    from core.members.views import bp as members_bp

    return [assets_bp, auth_bp, calendar_bp, home_bp, members_bp, imports_bp, admin_bp, jobs_bp]


def configure_web(app: Flask) -> None:
    """Themes, assets, security headers, error pages and request guards."""
    from core import assets, errors, localtime, security, themes

    themes.init_app(app)
    localtime.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)


def configure_cli(app: Flask) -> None:
    """Add the project's commands to `flask`."""
    from core.cli import register_commands
    from core.plugins import host

    register_commands(app)
    for _plugin, commands in host(app).each_plugin("register_commands"):
        for command in commands:
            app.cli.add_command(command)
