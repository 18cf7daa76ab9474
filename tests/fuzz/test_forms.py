"""Hostile data posted to every form and sent in every query parameter the crawl finds, as each
role: never a 500 or a logged error, sensible statuses with a Vietnamese message, nothing
written by a refused form or a GET, nothing changed outside the role's part of the tree."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from core.extensions import db
from tests.fuzz.harness import Harness, Stats
from tests.fuzz.strategies import (CSRF, SPELLINGS, Request, form_request, fuzz_settings, link_request,
                                   page_request, rounds)
from tests.fuzz.world import ROLES, build

EXAMPLES = {"province_admin": 90, "secretary": 70, "member": 40, "family_helper": 30, "anonymous": 40}


def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def fuzz_role(app, accounts, role: str) -> Stats:
    """Crawl as `role`, then send EXAMPLES[role] (times FUZZ_EXAMPLES) hostile requests."""
    world = build(app, accounts, roles=() if role == "anonymous" else (role,))
    site, pools = world.sites[role], world.pools[role]
    assert site.forms or role == "anonymous", f"the crawl found no form for {role}"
    stats = Stats(f"forms-{role}-{dialect(app)}")
    stats.notes.append(f"{role}: {len(site.pages)} pages, {len(site.forms)} forms, {len(site.links)} "
                       f"links with parameters; endpoints {sorted(site.endpoints)}")
    choices = []
    if site.forms:
        choices += [st.sampled_from(site.forms).flatmap(lambda f: form_request(f, pools))] * 5
    if site.links:
        choices += [st.sampled_from(site.links).flatmap(lambda link: link_request(link, pools))] * 3
    choices += [st.sampled_from(sorted(site.pages)).flatmap(lambda url: page_request(url, pools))] * 2

    with Harness(app, role, stats, accounts.get(role)) as harness:
        @fuzz_settings(EXAMPLES[role])
        @given(st.one_of(*choices))
        def run(request):
            harness.send(request)

        run()
    stats.save()
    return stats


@pytest.mark.parametrize("round_", rounds())
@pytest.mark.parametrize("role", ROLES + ("anonymous",))
def test_hostile_forms_and_parameters(app, accounts, role, round_):
    stats = fuzz_role(app, accounts, role)
    assert stats.requests >= EXAMPLES[role] // 2, stats.report()
    assert not stats.problems, stats.report()


def test_the_checks_can_fail(app, accounts):
    """On views made to misbehave, every check fires: a crash, a GET that writes, a refused post
    that writes anyway, an error without a message, a post that changes another province."""
    from flask import redirect

    from core.org.models import Organisation

    def rename(name: str) -> None:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        org.name += " (đổi)"
        db.session.commit()

    def crash():
        raise RuntimeError("boom")

    def log_error():
        import logging
        logging.getLogger("core").error("something broke quietly")
        return "ok"

    def write_on_get():
        rename(accounts["secretary"]["org"])
        return "ok"

    def refuse_after_writing():
        rename(accounts["secretary_other_branch"]["org"])
        return "<p>no</p>", 400

    def write_elsewhere():
        rename(accounts["other_province_admin"]["org"])
        return redirect("/")

    for rule, view, methods in [("/__fuzz/crash", crash, ["GET"]), ("/__fuzz/write", write_on_get, ["GET"]),
                                ("/__fuzz/log", log_error, ["GET"]),
                                ("/__fuzz/refuse", refuse_after_writing, ["POST"]),
                                ("/__fuzz/elsewhere", write_elsewhere, ["POST"])]:
        app.add_url_rule(rule, rule, view, methods=methods)
    stats = Stats("self-test")
    with Harness(app, "secretary", stats, accounts["secretary"]) as harness:
        harness.send(Request("GET", "/__fuzz/crash", source="crash"))
        harness.send(Request("GET", "/__fuzz/log", source="log"))
        harness.send(Request("GET", "/__fuzz/write", source="write"))
        harness.send(Request("POST", "/__fuzz/refuse", pairs=[("csrf_token", CSRF)], source="refuse"))
        harness.send(Request("POST", "/__fuzz/elsewhere", pairs=[("csrf_token", CSRF)], source="elsewhere"))
    found = " | ".join(stats.problems)
    assert stats.requests == 5 and stats.server_errors == 1, found
    for expected in ("HTTP 500: GET crash: unexpected error on /__fuzz/crash [RuntimeError: boom]",
                     "error logged: GET log: something broke quietly", "GET wrote ['org']: GET write",
                     "refused POST (400) wrote ['org']", "400 without a message: POST refuse",
                     "wrote outside scope: org (elsewhere)"):
        assert expected in found, found


@pytest.mark.parametrize("spelling", [s for s in SPELLINGS if s is not str],
                         ids=["plus", "spaces", "zero", "arabic-indic", "full-width", "underscores"])
def test_another_provinces_id_in_any_spelling_is_refused(app, accounts, as_role, spelling):
    """What the fuzz found: the publisher's check read "+10" or "١٠" as no number at all while
    the form read it as 10, so a secretary could publish into another province."""
    from core.content.models import ContentItem
    from core.org.models import Organisation

    with app.app_context():
        other = db.session.scalar(select(Organisation.id).where(
            Organisation.name == accounts["other_province_admin"]["org"]))
    secretary = as_role("secretary")
    html = secretary.text("/publish/new/news")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    response = secretary.submit("/publish/new/news", {"org_id": spelling(other), "title": "Tin thử",
                                                      "when": "now", "idempotency_key": key})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ContentItem.id).where(ContentItem.org_id == other)) is None
