"""What machine the numbers come from."""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa


def describe(pg: str | None) -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    debian = Path("/etc/debian_version")
    facts = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.0f} GiB" if mem else "?",
        "debian": debian.read_text().strip() if debian.exists() else platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres(pg) if pg else "not used",
        "load generator": _wrk() or "python threads (wrk not installed)",
    }
    try:
        from importlib.metadata import version

        facts["gunicorn"] = version("gunicorn")
    except Exception:
        pass
    return facts


def _postgres(pg: str) -> str:
    try:
        url = sa.engine.make_url(pg.replace("postgresql://", "postgresql+psycopg://", 1)).set(database="postgres")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            found = conn.scalar(sa.text("SHOW server_version"))
        engine.dispose()
        return found
    except Exception as error:  # the SQLite-only bench still runs
        return f"unreachable ({type(error).__name__})"


def _wrk() -> str | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return out.split(" Copyright")[0].strip() or "wrk"


def markdown(facts: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in facts.items())
