"""Mixed load of the three roles for scripts/load_test.sh (locust, headless).

Each simulated user takes one pre-logged-in session from LOAD_SESSIONS (a JSON file written by
`manage.py bench --sessions-out`), so log-ins are not part of the figures: a password check costs
~0.4 s of CPU on purpose and is rate-limited anyway.

The mix, per simulated user and weighted by how often each role opens pages on a working morning:
- director (weight 6): their self-assessment page, their list, their rectification orders;
- inspector (weight 3): unit list, review queue, rectification list, a visit checklist;
- leader (weight 1): the dashboard page, then its four panels as htmx fragments (as the browser does).
Responses other than 200 count as failures; a redirect (e.g. to the log-in page) is a failure too."""
import itertools
import json
import os
import random
import threading

from locust import FastHttpUser, between, events, task

with open(os.environ.get("LOAD_SESSIONS", "var/load-sessions.json"), encoding="utf-8") as handle:
    SESSIONS = json.load(handle)

COOKIE = SESSIONS["cookie_name"]
_counters = {role: itertools.count() for role in SESSIONS["roles"]}
_lock = threading.Lock()


def _next_session(role: str) -> dict:
    rows = SESSIONS["roles"][role]
    with _lock:
        return rows[next(_counters[role]) % len(rows)]


class RoleUser(FastHttpUser):
    abstract = True
    role = ""
    # Think time between pages, as people read what they opened.
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.account = _next_session(self.role)
        # The session cookie is marked Secure in production; the proxy terminates TLS, so the test talks
        # plain HTTP to gunicorn and says so with X-Forwarded-Proto, as the proxy would.
        self.headers = {"Cookie": f"{COOKIE}={self.account['session']}", "X-Forwarded-Proto": "https"}

    def open(self, url: str, name: str, **extra_headers):
        headers = {**self.headers, **extra_headers}
        with self.client.get(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")


class Director(RoleUser):
    weight = 6
    role = "director"

    @task(4)
    def self_assessment(self):
        self.open(self.account["pages"][0], "director: self-assessment page")

    @task(1)
    def my_assessments(self):
        self.open(self.account["pages"][1], "director: my assessments")

    @task(1)
    def orders(self):
        self.open(self.account["pages"][2], "director: rectification orders")


class Inspector(RoleUser):
    weight = 3
    role = "inspector"

    @task(2)
    def unit_list(self):
        self.open(self.account["pages"][0], "inspector: unit list")

    @task(2)
    def review_queue(self):
        self.open(self.account["pages"][1], "inspector: review queue")

    @task(2)
    def orders(self):
        self.open(self.account["pages"][2], "inspector: rectification list")

    @task(3)
    def visit(self):
        visits = self.account["pages"][3:]
        if visits:
            self.open(random.choice(visits), "inspector: visit checklist")


class Leader(RoleUser):
    weight = 1
    role = "leader"

    @task
    def dashboard(self):
        self.open(self.account["pages"][0], "leader: dashboard")
        for url in self.account["panels"]:
            self.open(url, "leader: dashboard panel", **{"HX-Request": "true"})


@events.quitting.add_listener
def _summary(environment, **_kwargs):
    total = environment.stats.total
    if not total.num_requests:
        return
    percentile = total.get_response_time_percentile
    print(f"\nLOAD SUMMARY: {total.num_requests} requests, {total.total_rps:.1f} req/s, "
          f"p50 {percentile(0.5):.0f} ms, p95 {percentile(0.95):.0f} ms, p99 {percentile(0.99):.0f} ms, "
          f"errors {total.num_failures} ({100 * total.fail_ratio:.2f}%)")
