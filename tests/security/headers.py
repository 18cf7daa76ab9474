"""What every response must carry (DESIGN.md, "Security and reliability rules"): the security
headers, a strict content-security policy, and no-store on whatever a signed-in person (or a
form's token) is given, so a shared phone or a proxy keeps none of it."""
from __future__ import annotations

# Directives that must be exactly this strict; no 'unsafe-*' source anywhere.
STRICT_CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
              "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'",
              "frame-ancestors": "'none'"}
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
PRESENT = ("Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy")
# Answers that are the same for everyone and may be kept: content-hashed files, the home-screen
# app's manifest, worker and offline page.
SHARED = {"assets.serve", "pwa.manifest", "pwa.service_worker", "pwa.offline"}
HTMX_HISTORY_OFF = '"historyCacheSize":0'


def csp_directives(value: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in value.split(";") if part.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def problems(response, endpoint: str | None, *, holds_session: bool = True) -> list[str]:
    """What is missing from `response` (an empty list when all is well)."""
    found = []
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    for directive, value in STRICT_CSP.items():
        if csp.get(directive) != value:
            found.append(f"CSP {directive} is {csp.get(directive)!r}")
    if any("unsafe" in value for value in csp.values()):
        found.append("CSP allows an unsafe source")
    for name, value in HEADERS.items():
        if response.headers.get(name) != value:
            found.append(f"{name} is {response.headers.get(name)!r}")
    found += [f"no {name}" for name in PRESENT if not response.headers.get(name)]
    cache = response.headers.get("Cache-Control", "")
    if _drops_session(response):
        holds_session = False  # signing out: the answer carries nothing of the person
    if endpoint in SHARED:
        if any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie")):
            found.append("a file shared by everyone writes a session")
        return found
    if holds_session and "no-store" not in cache:
        found.append(f"Cache-Control is {cache!r}, not no-store")
    if holds_session and _full_html_page(response) and HTMX_HISTORY_OFF not in response.get_data(as_text=True):
        found.append("htmx history cache is not off")
    return found


def _drops_session(response) -> bool:
    return any(c.startswith("session=;") for c in response.headers.getlist("Set-Cookie"))


def _full_html_page(response) -> bool:
    return (response.mimetype == "text/html" and response.status_code == 200
            and "<head>" in response.get_data(as_text=True)[:400])
