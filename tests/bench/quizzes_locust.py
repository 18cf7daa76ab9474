"""Locust's contestants for `python -m tests.bench.quizzes_contest` (not run by pytest).

Each simulated contestant does what a person does through the HTML: signs in, follows the
contest's link from the home page, presses Start, then answers every question on its page
(radio or checkbox values read from the form) with a pause between answers, and hands in.
5 % of answer posts are sent twice (a retry), 2 % of connections are dropped right after the
post is sent (the server does the work, the phone never hears: it sends the post again).
What each contestant believes it saved is written to QUIZ_BENCH_OUT (one JSON line each),
to compare with what the server kept."""
from __future__ import annotations

import json
import os
import random
import re
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser

ACCOUNTS = json.loads(open(os.environ["QUIZ_BENCH_ACCOUNTS"]).read())
OUT = os.environ["QUIZ_BENCH_OUT"]
THINK = float(os.environ.get("QUIZ_BENCH_THINK", "20"))  # mean seconds between two answers
START_WITHIN = float(os.environ.get("QUIZ_BENCH_START_WITHIN", "60"))
REPEAT, DROP = 0.05, 0.02
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION = re.compile(r'name="question" value="(\d+)"')
_lock = threading.Lock()
_next = iter(range(len(ACCOUNTS["contestants"])))


def _wire(response) -> int:
    """Bytes of the body as sent (compressed by the app), plus a rough 200 for the headers."""
    return int(response.headers.get("Content-Length") or len(response.content)) + 200


class Contestant(HttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        with _lock:
            try:
                self.number = next(_next)
            except StopIteration:
                raise StopUser() from None
        self.account = ACCOUNTS["contestants"][self.number]
        self.saved: dict[str, int] = {}
        self.bytes = 0
        self.sends = {"answers": 0, "repeated": 0, "dropped": 0}
        time.sleep(random.uniform(0, START_WITHIN))

    def get(self, path, name=None):
        response = self.client.get(path, name=name or path)
        self.bytes += _wire(response) + sum(_wire(r) for r in response.history)
        return response

    def post(self, path, data, name):
        response = self.client.post(path, data=data, name=name)
        self.bytes += _wire(response) + sum(_wire(r) for r in response.history)
        return response

    def dropped(self, path, data):
        """Send the post on a raw connection and hang up before the answer (a dropped 3G line)."""
        parts = urlsplit(self.host)
        body = urlencode(data, doseq=True).encode()
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)
        head = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").encode()
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as raw:
            raw.sendall(head + body)
            time.sleep(0.05)
        self.sends["dropped"] += 1

    @task
    def take_the_contest(self):
        page = self.get("/login")
        token = TOKEN.search(page.text).group(1)
        self.post("/login", {"csrf_token": token, "login": self.account["login"],
                             "password": self.account["password"]}, "/login")
        home = self.get("/", name="/ (home)")
        url = ACCOUNTS["contest_url"]
        assert f'href="{url}"' in home.text, "the contest is not on the home page"
        contest = self.get(url, name="/quizzes/[contest]")
        token = TOKEN.search(contest.text).group(1)
        page = self.post(f"{url}/start", {"csrf_token": token, "layout": "one"}, "/quizzes/[contest]/start")
        attempt = re.search(r"/quizzes/attempts/(\d+)", page.url).group(1)
        answer_path = f"/quizzes/attempts/{attempt}/answer"
        while (found := QUESTION.search(page.text)) is not None:
            qid = found.group(1)
            values = re.findall(rf'name="q{qid}" value="(\d+)"', page.text)
            token = TOKEN.search(page.text).group(1)
            time.sleep(random.expovariate(1 / THINK) if THINK else 0)
            choice = random.choice(values)
            data = {"csrf_token": token, "question": qid, f"q{qid}": choice, "go": "next"}
            roll = random.random()
            if roll < DROP:
                self.dropped(answer_path, data)
            elif roll < DROP + REPEAT:
                self.client.post(answer_path, data=data, name="answer (retry)", allow_redirects=False)
                self.sends["repeated"] += 1
            saved = self.client.post(answer_path, data=data, name="answer", allow_redirects=False)
            self.bytes += _wire(saved)
            self.sends["answers"] += 1
            if saved.status_code != 302:
                break
            self.saved[qid] = int(choice)
            page = self.get(saved.headers["Location"], name="/quizzes/attempts/[id]/[n]")
        token = TOKEN.search(page.text).group(1)
        result = self.post(f"/quizzes/attempts/{attempt}/submit", {"csrf_token": token}, "hand in")
        with _lock, open(OUT, "a") as out:
            out.write(json.dumps({"login": self.account["login"], "attempt": int(attempt), "saved": self.saved,
                                  "bytes": self.bytes, "handed_in": "/result" in result.url, **self.sends}) + "\n")
        _finished()
        raise StopUser()


_count = {"done": 0}


def _finished():
    """The last contestant to hand in ends the run."""
    with _lock:
        _count["done"] += 1
        last = _count["done"] >= len(ACCOUNTS["contestants"])
    if last and _environment["env"] is not None:
        _environment["env"].runner.quit()


_environment = {"env": None}


@events.init.add_listener
def _init(environment, **kwargs):
    _environment["env"] = environment


@events.quitting.add_listener
def _done(environment, **kwargs):
    environment.process_exit_code = 0
