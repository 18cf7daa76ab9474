"""Tests in this folder drive Chromium: they carry the `browser` mark (fixtures in fixtures.py)."""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
