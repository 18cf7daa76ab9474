"""A small set of inline SVG icons for the home tiles and cards: no icon font, no extra request.

Each icon is a 24×24 drawing in strokes of the text colour (so high-contrast mode recolours it),
a few hundred bytes at most; a name not in the set draws the generic one. Plugins name an icon in
`NavLink(icon=...)` or `HomeCard(icon=...)`; the names are listed in docs/api.md."""
from __future__ import annotations

from markupsafe import Markup

# Path data only; the <svg> wrapper is added once in icon().
ICONS: dict[str, str] = {
    "home": '<path d="M3 11 12 3l9 8M5 9v12h5v-6h4v6h5V9"/>',
    "news": '<path d="M4 4h13v16H6a2 2 0 0 1-2-2zM17 8h3v10a2 2 0 0 1-2 2M7 8h7M7 12h7M7 16h4"/>',
    "document": '<path d="M6 2h8l5 5v15H6zM14 2v5h5M9 13h7M9 17h7"/>',
    "announcement": '<path d="M3 10v4h3l7 5V5L6 10zM17 9a4 4 0 0 1 0 6M20 6a8 8 0 0 1 0 12"/>',
    "life": '<path d="M12 20s-8-5-8-11a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 6-8 11-8 11z"/>',
    "calendar": '<path d="M4 5h16v16H4zM4 10h16M8 3v4M16 3v4M8 14h2M14 14h2M8 17h2"/>',
    "inbox": '<path d="M6 16V10a6 6 0 0 1 12 0v6l2 2H4zM10 21h4"/>',
    "account": '<path d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0"/>',
    "manage": '<path d="M4 7h16v13H4zM9 7V4h6v3M4 12h16"/>',
    "members": '<path d="M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M17 14a6 6 0 0 1 4 6"/>',
    "key": '<path d="M8 15a4 4 0 1 1 3-6.5L21 8.5V12h-3v3h-3l-1.3-1.3A4 4 0 0 1 8 15z"/>',
    "organisation": '<path d="M9 3h6v5H9zM3 16h6v5H3zM15 16h6v5h-6zM12 8v4M6 16v-4h12v4"/>',
    "role": '<path d="M12 3 4 6v6c0 5 4 8 8 9 4-1 8-4 8-9V6zM9 12l2 2 4-4"/>',
    "import": '<path d="M12 3v12M7 10l5 5 5-5M4 17v4h16v-4"/>',
    "settings": '<path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4"/>',
    "features": '<path d="M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z"/>',
    "feed": '<path d="M5 19h.01M5 12a7 7 0 0 1 7 7M5 5a14 14 0 0 1 14 14"/>',
    "publish": '<path d="M4 20h4L19 9l-4-4L4 16zM13 7l4 4"/>',
    "note": '<path d="M5 3h14v18H5zM9 8h6M9 12h6M9 16h3"/>',
    "meeting": '<path d="M4 5h16v10H9l-5 4zM8 9h8M8 12h5"/>',
    "task": '<path d="M9 6h11M9 12h11M9 18h11M4 6l1 1 2-2M4 12l1 1 2-2M4 18l1 1 2-2"/>',
    "study": '<path d="M3 6c3-1 6-1 9 1 3-2 6-2 9-1v13c-3-1-6-1-9 1-3-2-6-2-9-1zM12 7v13"/>',
    "shield": '<path d="M12 3 4 6v6c0 5 4 8 8 9 4-1 8-4 8-9V6zM12 9v4M12 16h.01"/>',
    "job": '<path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3"/>',
    "question": '<path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17h.01"/>',
    "generic": '<path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8 12h8M12 8v8"/>',
}

_SVG = ('<svg class="icon" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        'focusable="false">{}</svg>')


def icon(name: str | None) -> Markup:
    """The inline <svg> for `name` (the generic drawing for an unknown or empty name)."""
    return Markup(_SVG.format(ICONS.get(name or "", ICONS["generic"])))
