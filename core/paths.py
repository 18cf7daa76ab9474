"""Where the project lies on disk: the one place that knows (config, themes, translations, assets)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
