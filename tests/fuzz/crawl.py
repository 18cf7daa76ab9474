"""Find what there is to fuzz the way a visitor would: follow the links of every page a role can
reach and read each page's <form>s and links with query strings. A plugin's new forms and
parameters are found the same way, without naming them here."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

# Not followed or not fuzzed: files and assets (no forms), and signing out (ends the session
# the rest of the run needs; its CSRF refusal is covered by every other form).
SKIP_PREFIXES = ("/a/", "/sw.js", "/manifest.webmanifest")
SKIP_ENDPOINTS = {"auth.logout", "assets.serve", "pwa.service_worker", "pwa.manifest"}


@dataclass(frozen=True)
class Field:
    """One named control of a form: its kind (an input type, "select" or "textarea"), the value a
    browser would send as it stands, and the choices offered (select, radio)."""

    name: str
    kind: str
    value: str | None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    page: str      # where it was found
    action: str    # path and query it posts to
    method: str
    endpoint: str
    multipart: bool
    fields: tuple[Field, ...]

    def __repr__(self) -> str:
        return f"Form({self.method} {self.action})"

    @property
    def key(self) -> tuple:
        return (self.endpoint, self.method, tuple(sorted(f.name for f in self.fields)))


@dataclass(frozen=True)
class Link:
    """A GET target with query parameters: from an <a href="…?…"> or a GET form."""

    path: str
    endpoint: str
    params: tuple[tuple[str, str], ...]

    def __repr__(self) -> str:
        return f"Link({self.path}?{'&'.join(k for k, _v in self.params)})"


@dataclass
class Site:
    """What one role reached: pages (path → status), POST forms, GET targets with parameters."""

    role: str
    pages: dict[str, int] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)
    html: dict[str, str] = field(default_factory=dict)  # kept only when the crawl is asked to
    forms: list[Form] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def param_names(self) -> set[str]:
        return {name for link in self.links for name, _value in link.params}

    @property
    def endpoints(self) -> set[str]:
        """Every endpoint reached: pages opened, forms' and links' targets."""
        return set(self.reached) | {f.endpoint for f in self.forms} | {l.endpoint for l in self.links}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "multipart": "multipart" in a.get("enctype", ""), "fields": []}
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = value
        elif self._form is None or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            checked = "checked" in a
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                self._form["fields"].append({"name": a["name"], "kind": kind, "option": value,
                                             "value": value if checked else None})
            else:
                self._form["fields"].append({"name": a["name"], "kind": kind, "value": value})
        elif tag == "select":
            self._select = {"name": a["name"], "kind": "select", "options": [], "value": None}
            self._form["fields"].append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "button" and a.get("value") is not None:
            self._form["fields"].append({"name": a["name"], "kind": "button", "value": a["value"]})

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _fields(raw: list[dict]) -> tuple[Field, ...]:
    """Radios and checkboxes of one name become one field with their options."""
    merged: dict[str, Field] = {}
    for f in raw:
        name = f["name"]
        if f["kind"] in ("radio", "checkbox"):
            old = merged.get(name)
            options = (old.options if old else ()) + (f["option"],)
            value = f["value"] if f["value"] is not None else (old.value if old else None)
            merged[name] = Field(name, f["kind"], value, options)
        elif name not in merged:
            merged[name] = Field(name, f["kind"], f["value"], tuple(f.get("options", ())))
    return tuple(merged.values())


def endpoint_of(app, path: str, method: str = "GET") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return endpoint


def _local(base: str, href: str) -> str | None:
    """A same-site path (with its query) for `href` seen on page `base`, else None."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
        return None
    absolute = urljoin("http://localhost" + base, href)
    parts = urlsplit(absolute)
    if parts.netloc != "localhost" or parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(app, visitor, role: str, seeds=("/",), per_endpoint: int = 2, max_pages: int = 120,
          keep_html: bool = False) -> Site:
    """Breadth-first through the pages `visitor` reaches (at most `per_endpoint` pages for each
    endpoint and set of query names), collecting forms and parameterised links."""
    site = Site(role)
    seen_keys: dict[tuple, int] = {}
    form_keys: dict[tuple, int] = {}
    link_keys: set[tuple] = set()
    queue = deque(seeds)
    visited: set[str] = set()
    while queue and len(visited) < max_pages:
        url = queue.popleft()
        if url in visited:
            continue
        endpoint = endpoint_of(app, url)
        if endpoint is None or endpoint in SKIP_ENDPOINTS:
            continue
        names = tuple(sorted({k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}))
        key = (endpoint, names)
        if seen_keys.get(key, 0) >= per_endpoint:
            continue
        seen_keys[key] = seen_keys.get(key, 0) + 1
        visited.add(url)
        response = visitor.get(url)
        site.pages[url] = response.status_code
        site.reached.add(endpoint)
        if response.status_code != 200 or "html" not in (response.mimetype or ""):
            continue
        parser = _PageParser()
        html = response.get_data(as_text=True)
        parser.feed(html)
        if keep_html:
            site.html[url] = html
        for href in parser.links:
            target = _local(url, href)
            if target is None:
                continue
            queue.append(target)
            query = urlsplit(target).query
            target_endpoint = endpoint_of(app, target)
            if query and target_endpoint:
                params = tuple(parse_qsl(query, keep_blank_values=True))
                link_key = (target_endpoint, tuple(sorted(k for k, _v in params)))
                if link_key not in link_keys:
                    link_keys.add(link_key)
                    site.links.append(Link(urlsplit(target).path, target_endpoint, params))
        for raw in parser.forms:
            action = _local(url, raw["action"] or url)
            if action is None:
                continue
            fields = _fields(raw["fields"])
            if raw["method"] == "get":
                path = urlsplit(action).path
                target_endpoint = endpoint_of(app, path)
                params = tuple((f.name, f.value or "") for f in fields)
                link_key = (target_endpoint, tuple(sorted(k for k, _v in params)))
                if target_endpoint and link_key not in link_keys:
                    link_keys.add(link_key)
                    site.links.append(Link(path, target_endpoint, params))
                continue
            target_endpoint = endpoint_of(app, action, "POST")
            if target_endpoint is None or target_endpoint in SKIP_ENDPOINTS:
                continue
            form = Form(url, action, "post", target_endpoint, raw["multipart"], fields)
            if form_keys.get(form.key, 0) < per_endpoint:
                form_keys[form.key] = form_keys.get(form.key, 0) + 1
                site.forms.append(form)
    return site
