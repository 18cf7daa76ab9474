"""Screenshots of the main screens at 360 px, for the README, taken from a fresh demo province.

    .venv/bin/python tools/screenshots.py            # writes docs/screens/*.png

It seeds the demo into a temporary folder (SQLite, the demo config with every bundled plugin),
serves it on a free port, and photographs what each demo role sees on a small Android phone
with Debian's Chromium, so the pictures follow the interface whenever it changes."""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screens"
PHONE = {"width": 360, "height": 740}
CHROMIUM = "/usr/bin/chromium"

# (file, role, path, what to do before the picture, full page?)
SHOTS = [
    ("login", None, "/login", None, False),
    ("home-member", "member", "/", None, True),
    ("menu-member", "member", "/", "menu", False),
    ("document", "member", "/documents/", "first-document", False),
    ("inbox", "member", "/inbox/", None, False),
    ("meetings-member", "member", "/meetings/", None, False),
    ("feedback-member", "member", "/feedback/new", None, False),
    ("home-secretary", "secretary", "/", None, False),
    ("manage-secretary", "secretary", "/manage", None, True),
    ("members-secretary", "secretary", "/members/", None, False),
    ("meetings-overview", "district_admin", "/meetings/overview/", None, False),
    ("large-text", "member", "/", "large-text", False),
]


def seeded_app(folder: Path):
    os.environ.update(SOTAY_CONFIG=str(ROOT / "config" / "demo.toml"), SOTAY_INSTANCE=str(folder),
                      DATABASE_URL=f"sqlite:///{folder / 'demo.db'}")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import flask_migrate

    from core import create_app

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--members", "60"])
    if result.exit_code:
        raise SystemExit(result.output)
    return app, json.loads((folder / "demo-accounts.json").read_text(encoding="utf-8"))


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    OUT.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="sotay-screens-") as folder:
        app, accounts = seeded_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            contexts = {}
            for name, role, path, action, full in SHOTS:
                if role not in contexts:
                    contexts[role] = browser.new_context(base_url=base, viewport=PHONE, is_mobile=True,
                                                         has_touch=True, locale="vi-VN", device_scale_factor=1)
                    if role:
                        sign_in(contexts[role].new_page(), accounts[role])
                page = contexts[role].new_page()
                page.goto(path)
                if action == "menu":
                    page.locator("header summary").first.click()
                elif action == "first-document":
                    page.locator("main a[href^='/c/']").first.click()
                    page.wait_for_load_state()
                elif action == "large-text":  # the header's "Chữ to" link, kept in a cookie
                    page.goto("/display?large=1&next=/")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
                page.close()
                print(f"{name}.png  {role or 'anonymous'}  {path}")
            browser.close()
        server.shutdown()


def sign_in(page, account) -> None:
    page.goto("/login")
    page.get_by_label("Số thẻ đảng viên hoặc số điện thoại").fill(account["login"])
    page.get_by_label("Mật khẩu", exact=True).fill(account["password"])
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    page.close()


if __name__ == "__main__":
    main()
