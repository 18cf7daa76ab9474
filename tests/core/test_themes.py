"""Province themes: a province's choice restyles its members' pages (colours, logo, templates)
and nobody else's, and can never replace the administration pages."""
from __future__ import annotations

import re

import pytest
from jinja2 import Environment, TemplateNotFound
from sqlalchemy import select

from core.extensions import db
from core.org.models import Organisation
from core.themes import ThemeLoader

LOGO = re.compile(r'<img src="(/a/logo\.[0-9a-f]+\.svg)"')
THEME_CSS = re.compile(r'href="(/a/theme\.[0-9a-f]+\.css)"')


@pytest.fixture
def province_ids(app, accounts) -> dict[str, int]:
    with app.app_context():
        names = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    return {"thai_nguyen": names[accounts["province_admin"]["org"]],
            "yen_bai": names[accounts["other_province_admin"]["org"]]}


def choose_theme(admin, province_id: int, theme: str):
    response = admin.submit(f"/admin/plugins/{province_id}/theme", {"theme": theme},
                            form_page="/admin/plugins")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def test_the_demo_second_province_wears_its_own_theme(as_role):
    """The seed gives Yên Bái its theme: emblem in the top bar, colours after the base ones."""
    page = as_role("other_province_admin").text("/")
    assert LOGO.search(page) and "Yên Bái" in page
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert [s.split(".")[0] for s in stylesheets] == ["/a/app", "/a/theme"]


def test_a_province_theme_changes_only_that_province(as_role, province_ids):
    member, neighbour = as_role("member"), as_role("other_province_admin")
    before = member.text("/")
    assert not LOGO.search(before) and not THEME_CSS.search(before)

    choose_theme(as_role("province_admin"), province_ids["thai_nguyen"], "yenbai")
    page = member.text("/")
    logo, css = LOGO.search(page), THEME_CSS.search(page)
    assert logo and css, "the member's home page should carry the province's logo and colours"
    assert "#0b4f8a" in member.get(css.group(1)).get_data(as_text=True)
    assert member.get(logo.group(1)).status_code == 200
    # An htmx navigation swaps only <main>: the theme is already on the page.
    fragment = member.get("/", headers={"HX-Request": "true", "HX-Target": "main"})
    assert "<html" not in fragment.get_data(as_text=True)

    choose_theme(neighbour, province_ids["yen_bai"], "lite")
    assert not LOGO.search(neighbour.text("/")), "Yên Bái chose the base theme again"
    assert LOGO.search(member.text("/")), "and Thái Nguyên keeps its choice"


def test_admin_pages_keep_the_base_templates_under_a_theme(as_role, province_ids):
    admin = as_role("province_admin")
    choose_theme(admin, province_ids["thai_nguyen"], "yenbai")
    page = admin.text("/admin/plugins")
    assert LOGO.search(page), "the frame around the admin page is the province's"
    assert "Tính năng" in page


def test_theme_loader_refuses_to_override_admin_templates(tmp_path):
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "orgs.html").write_text("taken over")
    (tmp_path / "home.html").write_text("restyled")
    env = Environment(loader=ThemeLoader(str(tmp_path)))
    assert env.get_template("home.html").render() == "restyled"
    with pytest.raises(TemplateNotFound):
        env.get_template("admin/orgs.html")
