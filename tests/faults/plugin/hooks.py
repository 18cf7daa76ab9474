"""The fault-test plugin's one job."""
from __future__ import annotations

import os
import time
from pathlib import Path

from core.jobs import Job, JobContext
from core.plugins import hookimpl

WORK = "faults.work"


@hookimpl
def register_jobs():
    return [Job(WORK, "tests.faults.plugin.hooks:work", title="fault test")]


def work(ctx: JobContext, marks: str, first_seconds: float = 0) -> dict:
    """Append "start <id> <pid>", wait (on the first attempt only), then append "done <id>".

    The wait leaves time to kill the worker mid-job; a retry after that finishes at once."""
    with Path(marks).open("a") as out:
        out.write(f"start {ctx.record.id} {os.getpid()}\n")
    if ctx.record.attempts == 1:
        time.sleep(first_seconds)
    with Path(marks).open("a") as out:
        out.write(f"done {ctx.record.id}\n")
    return {"pid": os.getpid()}
