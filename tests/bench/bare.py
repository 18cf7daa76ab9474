"""The bare page the bench compares against: Flask, a Jinja template and SQLAlchemy reading 20
rows from SQLite, nothing else (no session, no plugins, no themes). Run by `compare` under the
same gunicorn settings as the app: `gunicorn tests.bench.bare:app`."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template_string

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><ul>{% for row in rows %}
<li><a href="/item/{{ row.id }}">{{ row.title }}</a> <small>{{ row.created }}</small></li>
{% endfor %}</ul></body></html>"""

app = Flask(__name__)
_path = Path(os.environ.get("BARE_DB", Path(tempfile.gettempdir()) / "sotay-bench" / "bare.db"))
_path.parent.mkdir(parents=True, exist_ok=True)
engine = sa.create_engine(f"sqlite:///{_path}")
items = sa.Table("item", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("title", sa.String(200)), sa.Column("created", sa.String(20)))
with engine.begin() as conn:
    items.metadata.create_all(conn)
    if not conn.scalar(sa.select(sa.func.count()).select_from(items)):
        conn.execute(items.insert(), [{"title": f"Nghị quyết số {i} về công tác xây dựng Đảng",
                                       "created": f"2026-11-{1 + i % 28:02d}"} for i in range(200)])


@app.get("/")
def index():
    with engine.connect() as conn:
        rows = conn.execute(sa.select(items).order_by(items.c.id.desc()).limit(20)).all()
    return render_template_string(PAGE, title="Trang trần", rows=rows)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
