"""Load one page for a bounded time: wrk when installed, else Python threads with keep-alive."""
from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MAX_REQUESTS = 1_000_000  # a hard stop for the Python generator, whatever the duration

# wrk's done() sees every thread's latency histogram; response() counts answers other than 200
# (a redirect to /login would otherwise pass for a fast home page).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "us": %d, "bytes": %d, "not_ok": %d, "errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d}\\n', summary.requests, summary.duration, summary.bytes, b,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


@dataclass
class Load:
    tool: str
    connections: int
    seconds: float
    requests: int
    not_ok: int  # answers other than 200, plus connection errors
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bytes_per_request: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run(port: int, path: str, headers: dict[str, str], seconds: float, connections: int,
        tool: str = "auto") -> Load:
    """Load `path` on 127.0.0.1:`port` for `seconds` with `connections` at once."""
    if tool == "wrk" or (tool == "auto" and shutil.which("wrk")):
        return _wrk(port, path, headers, seconds, connections)
    return _python(port, path, headers, seconds, connections)


def _wrk(port, path, headers, seconds, connections) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds:g}s",
                   "--timeout", "10s", "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                             text=True, timeout=seconds + 60, check=True).stdout
    finally:
        Path(script.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line[6:])
    return Load("wrk", connections, data["us"] / 1e6, data["requests"], data["not_ok"] + data["errors"],
                data["p50"] / 1000, data["p95"] / 1000, data["p99"] / 1000,
                data["bytes"] / max(1, data["requests"]))


def _python(port, path, headers, seconds, connections) -> Load:
    """One thread per connection; a connection the server closes is opened again."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    counts = [[0, 0] for _ in range(connections)]  # not ok, bytes

    def worker(i: int) -> None:
        conn = None
        while time.perf_counter() < deadline and len(latencies[i]) < MAX_REQUESTS // connections:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                counts[i][0] += 1
                conn.close()
                conn = None
                continue
            latencies[i].append(time.perf_counter() - start)
            counts[i][0] += response.status != 200
            counts[i][1] += len(body)
            if response.will_close:
                conn.close()
                conn = None
        if conn:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.perf_counter() - started
    every = sorted(x for part in latencies for x in part)
    done = len(every)

    def pct(p: float) -> float:
        return every[min(done - 1, int(p / 100 * done))] * 1000 if done else 0.0

    return Load("python", connections, elapsed, done, sum(c[0] for c in counts),
                pct(50), pct(95), pct(99), sum(c[1] for c in counts) / max(1, done))
