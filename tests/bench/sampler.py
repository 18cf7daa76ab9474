"""A CPU sampler for gunicorn workers: `gunicorn -c python:tests.bench.sampler ...`.

SIGPROF fires on the process's CPU time (ITIMER_PROF), so a worker waiting on the database or
the network is never sampled: the counts are shares of CPU, by stack. The kernel's timer ticks
at 250 Hz here, so one sample stands for ~4 ms of CPU. Sampling starts with the first request
after the file $BENCH_SAMPLES/on appears (after the warm-up); each worker writes its folded
stacks to $BENCH_SAMPLES/<pid>.folded when it exits."""
from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path

INTERVAL = 0.004
ROOT = str(Path(__file__).resolve().parents[2]) + "/"
_counts: Counter = Counter()
_started = False


def _where(code) -> str:
    path = code.co_filename
    for marker in ("site-packages/", ROOT):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return path


def _sample(_signum, frame) -> None:
    stack = []
    while frame is not None:
        stack.append(f"{frame.f_code.co_qualname} ({_where(frame.f_code)}:{frame.f_lineno})")
        frame = frame.f_back
    _counts[";".join(reversed(stack))] += 1


def pre_request(worker, request) -> None:
    """Gunicorn hook: start sampling once the bench says the warm-up is over."""
    global _started
    folder = os.environ.get("BENCH_SAMPLES")
    if not _started and folder and os.path.exists(os.path.join(folder, "on")):
        _started = True
        signal.signal(signal.SIGPROF, _sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)


def worker_exit(server, worker) -> None:
    """Gunicorn hook: stop and write this worker's samples."""
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    folder = os.environ.get("BENCH_SAMPLES")
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.folded"), "w") as out:
            out.writelines(f"{stack} {n}\n" for stack, n in _counts.items())
    sys.stderr.flush()
