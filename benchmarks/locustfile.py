"""The users of the load test; run by ``benchmarks/load.py``, not on their own.

``load.py`` writes a plan (JSON, its path in ``TEILHABE_LOAD_PLAN``): logged-in sessions of
case managers of the biggest centres (a session cookie with a second factor recorded, as after
a real log-in with TOTP; a CSRF cookie), their own cases, the filters, the directory to search
and the ``<title>`` each page must have. Every request is checked: HTTP status 200 (302 for the
POST of a contact form, redirecting to the case), the page's title (a log-in page or an error
page has another) and, for staff pages, the log-out form of a signed-in user.

Requests go to gunicorn over plain HTTP on loopback with ``X-Forwarded-Proto: https``, as from
the TLS-ending proxy of a production deployment (``TEILHABE_BEHIND_PROXY=1``).
"""

from __future__ import annotations

import json
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from typing import Any

from common import title_of
from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import FastHttpSession
from requests.cookies import create_cookie

PLAN: dict[str, Any] = {}
if path := os.environ.get("TEILHABE_LOAD_PLAN"):
    with open(path, encoding="utf-8") as handle:
        PLAN = json.load(handle)

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGOUT = b'action="/accounts/logout/"'


class BehindProxy(DefaultCookiePolicy):
    """Send ``Secure`` cookies over plain HTTP: in production TLS ends at the proxy in front.

    The standard policy keeps Django's cookies (secure on HTTPS sites) to itself on an
    ``http://`` URL, so a session would lose its CSRF cookie after the first page.
    """

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class Teilhabe(FastHttpUser):
    """Base: the proxy header, a fixed browser session, checked responses."""

    abstract = True
    wait_time = constant(0)  # closed loop: the next request as soon as the last one is answered
    insecure = True
    #: One connection per simulated user, as a browser tab keeps alive.
    concurrency = 1

    def on_start(self) -> None:
        sessions = PLAN["sessions"]
        # Each user takes the next session: one browser, one log-in.
        index = PLAN.setdefault("_next", 0)
        PLAN["_next"] = index + 1
        self.session = sessions[index % len(sessions)]
        host = PLAN["host_name"]
        self.client.cookiejar.set_policy(BehindProxy())
        self.client.cookiejar.set_cookie(
            create_cookie("sessionid", self.session["cookie"], domain=host, path="/")
        )
        self.client.cookiejar.set_cookie(
            create_cookie("csrftoken", self.session["csrf"], domain=host, path="/")
        )
        self.origin = f"https://{PLAN['host_header']}"
        self.headers = {"X-Forwarded-Proto": "https"}

    def page(
        self, url: str, name: str, title: str, *, staff: bool = True, client: Any = None
    ) -> bytes:
        client = client or self.client
        with client.get(
            url, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            body = response.content or b""
            if response.status_code != 200:
                location = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"HTTP {response.status_code} {location}".strip())
            elif title_of(body) != title:
                response.failure(f"title {title_of(body)!r}, expected {title!r}")
            elif staff and LOGOUT not in body:
                response.failure("not signed in (no log-out form)")
            else:
                response.success()
            return body


class CaseListUser(Teilhabe):
    """Only the case list as the case manager opens it: 25 rows, the total, open cases first."""

    @task
    def case_list(self) -> None:
        self.page("/faelle/", "case list", PLAN["titles"]["list"])


def get_json(user: Teilhabe, url: str, name: str) -> None:
    """GET ``url`` as ``user``; anything but a JSON answer with status 200 is a failure."""
    with user.client.get(
        url, name=name, headers=user.headers, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif not (response.headers.get("Content-Type") or "").startswith("application/json"):
            response.failure("not JSON")
        else:
            response.success()


class CaseListApiUser(Teilhabe):
    """Only the JSON page of the case list in the API."""

    @task
    def case_list_json(self) -> None:
        get_json(self, PLAN["api_url"], "case list API")


class DirectoryApiUser(Teilhabe):
    """Only the first page of the public directory API (anonymous), for comparison."""

    def on_start(self) -> None:
        self.headers = {"X-Forwarded-Proto": "https"}

    @task
    def directory_api(self) -> None:
        slug = PLAN["directories"][0]["slug"]
        get_json(self, f"/api/v1/verzeichnis/{slug}/angebote/", "directory API")


class StaffUser(Teilhabe):
    """The mixed workload of a case manager, and public directory searches.

    Task weights are percent of tasks; saving a contact is three requests (the form, the
    POST, the case it redirects to). The directory search goes out without cookies, as an
    anonymous visitor of the public directory.
    """

    def on_start(self) -> None:
        super().on_start()
        self.anonymous = FastHttpSession(
            base_url=self.host,
            request_event=self.environment.events.request,
            user=self,
            insecure=True,
            concurrency=1,
        )
        self.anonymous.cookiejar.set_policy(BehindProxy())
        self.random = random.Random(PLAN["seed"] * 1000 + PLAN["_next"])  # noqa: S311

    @task(10)
    def start_page(self) -> None:
        self.page("/", "start page", PLAN["titles"]["home"])

    @task(15)
    def own_cases(self) -> None:
        self.page("/faelle/?mine=on", "case list, own", PLAN["titles"]["list"])

    @task(10)
    def all_cases(self) -> None:
        self.page("/faelle/", "case list, all", PLAN["titles"]["list"])

    @task(10)
    def filtered_cases(self) -> None:
        url = self.random.choice(PLAN["filters"])
        self.page(url, "case list, filter", PLAN["titles"]["list"])

    @task(30)
    def case_detail(self) -> None:
        pk, reference = self.random.choice(self.session["cases"])
        title = PLAN["titles"]["detail"].replace("{ref}", reference)
        self.page(f"/faelle/{pk}/", "case detail", title)

    @task(5)
    def save_contact(self) -> None:
        pk, reference = self.random.choice(self.session["cases"])
        form = f"/faelle/{pk}/kontakte/"
        title = PLAN["titles"]["contact"].replace("{ref}", reference)
        body = self.page(form, "contact form", title)
        token = TOKEN.search(body)
        if token is None:
            return  # counted as a failure above
        data = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "date": PLAN["today"],
            "duration": str(self.random.choice([15, 30, 45, 60])),
            "channel": self.random.choice(PLAN["channels"]),
            "interpreter_language": "",
            "notes": "Lasttest: Beratung zu Sprachkurs und Wohnung.",
        }
        with self.client.post(
            form,
            data=data,
            name="save contact (POST)",
            headers={**self.headers, "Origin": self.origin, "Referer": self.origin + form},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = (response.headers.get("Location", "") if response.headers else "") or ""
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}, expected 302")
            elif not location.startswith(f"/faelle/{pk}/"):
                response.failure(f"redirected to {location!r}")
            else:
                response.success()
        self.page(
            f"/faelle/{pk}/",
            "case detail (after saving)",
            PLAN["titles"]["detail"].replace("{ref}", reference),
        )

    @task(20)
    def directory_search(self) -> None:
        directory = self.random.choice(PLAN["directories"])
        term = self.random.choice(PLAN["terms"])
        self.page(
            f"/verzeichnis/{directory['slug']}/?q={term}",
            "directory search (anonymous)",
            directory["title"],
            staff=False,
            client=self.anonymous,
        )
