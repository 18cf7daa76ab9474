"""The home page of cards, the management menu, and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text

from core.extensions import db
from core.plugins import collect
from core.themes import all_links, nav_links
from core.web import render

bp = Blueprint("home", __name__)
# Home cards weighing less than this are today's business (a meeting, an unread notice, a task
# due): they come above the tiles.
URGENT = 20


@bp.get("/")
@login_required
def index():
    """The member's home: what matters today on top, then a tile per function, then the rest."""
    cards = sorted(collect("home_cards", user=current_user), key=lambda c: c.weight)
    urgent = [card for card in cards if card.weight < URGENT]
    tiles = [link for link in nav_links() if link.url != request.path]
    return render("home/index.html", urgent=urgent, tiles=tiles,
                  cards=[card for card in cards if card.weight >= URGENT])


@bp.get("/manage")
@login_required
def manage():
    """The management menu of secretaries and administrators, as wide tiles."""
    links = [link for link in all_links() if link.section == "manage"]
    return render("home/manage.html", links=links)


@bp.get("/healthz")
def healthz():
    """200 when the app, the database and (if configured) Redis answer."""
    checks = {"app": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "down"
    if current_app.config.get("REDIS_URL"):
        try:
            from redis import Redis

            Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1,
                           socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "down"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else _("unavailable"), checks=checks), 200 if healthy else 503
