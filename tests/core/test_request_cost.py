"""What a signed-in page costs the database: the statements it sends, counted on the engine.

The counts are those of a warm process (the per-process province cache on, as deployed), for
the busiest pages of a member. A hook or view that starts querying per card, per link or per
row makes these fail; the timings themselves are in tests/bench (no timed tests)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.conftest import _new_app
from tests.support import Visitor

# Last counted December 2026; before issue 21: home 6, document 7 (8 with a bookmark), search 5.
BUDGET = {"home": 3, "document": 5, "search": 4}


class Statements:
    """Every statement the app sends while the block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        self.seen.clear()
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def __str__(self):
        return "\n".join(f"  {s[:200]}" for s in self.seen)


@pytest.fixture
def warm(db_uri, tmp_path, accounts, demo_content):
    """A member signed in to an app with the province cache on, as deployed, and the core alone:
    a plugin's card or menu costs what it costs (the meetings card one statement), and that
    plugin's own tests keep it in check."""
    app = _new_app(db_uri, tmp_path / "warm", PROVINCE_CACHE_SECONDS=60, PLUGINS=[])
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    with app.app_context():
        engine = db.engine
    return member, engine


def cost(member, engine, url: str) -> Statements:
    assert member.get(url).status_code == 200, url  # warms the caches of this process
    with Statements(engine) as statements:
        response = member.get(url)
    assert response.status_code == 200, url
    return statements


def test_the_home_page_costs_three_statements(warm):
    member, engine = warm
    statements = cost(member, engine, "/")
    assert "Xin chào" in member.last.get_data(as_text=True)
    assert len(statements.seen) <= BUDGET["home"], f"{len(statements.seen)} statements:\n{statements}"


def test_a_document_costs_five_statements(warm):
    member, engine = warm
    document = re.search(r'href="(/c/\d+)"', member.text("/documents/")).group(1)
    statements = cost(member, engine, document)
    assert len(statements.seen) <= BUDGET["document"], f"{len(statements.seen)} statements:\n{statements}"


def test_a_library_search_costs_four_statements(warm):
    member, engine = warm
    statements = cost(member, engine, "/documents/?q=nghi+quyet")
    assert len(statements.seen) <= BUDGET["search"], f"{len(statements.seen)} statements:\n{statements}"


def test_a_staff_account_still_gets_its_roles(db_uri, tmp_path, accounts):
    """Folding the role check into the session query must not lose a secretary's roles."""
    app = _new_app(db_uri, tmp_path / "staff", PROVINCE_CACHE_SECONDS=60)
    secretary = Visitor(app.test_client())
    secretary.login(accounts["secretary"])
    assert secretary.get("/manage").status_code == 200
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    assert "/manage" not in member.text("/")
    assert "/manage" in secretary.text("/")
