"""Where the translation catalogs are: the core's and each loaded plugin's."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from core.paths import ROOT


def translation_directories(app: Flask) -> list[str]:
    dirs = [str(ROOT / "core" / "translations")]
    for name in app.config["PLUGINS"]:
        folder = ROOT / "plugins" / name / "translations"
        if folder.is_dir():
            dirs.append(str(folder))
    return dirs
