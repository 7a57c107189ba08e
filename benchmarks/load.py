"""Load test: gunicorn on production settings under a mixed staff workload, driven by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/teilhabe_bench \\
        .venv/bin/python benchmarks/load.py [--duration 30] [--workers 2] [--users 4] [--no-seed]

Uses the database ``benchmarks/web.py`` seeded (migrates and tops it up the same way unless
``--no-seed``), logs the case managers of the biggest centres in (real database sessions with
a TOTP second factor recorded, as after a log-in with MFA), starts ``teilhabe serve`` (gunicorn,
``--workers``) on 127.0.0.1 at a free port with the production settings (DEBUG off, HTTPS
required, MFA required, ``TEILHABE_BEHIND_PROXY=1``: the requests carry
``X-Forwarded-Proto: https`` as from the TLS-ending proxy) and runs locust headless against it,
each scenario for ``--duration`` seconds:

- mixed: ``--users`` simulated case managers, no think time: start page, case lists (own, all,
  filtered), case details of own cases, saving a contact (form, POST with CSRF, the case it
  redirects to), anonymous directory searches;
- case list: ``/faelle/`` only (HTML, 25 rows and the total), 2 connections;
- case list API: its JSON page, 2 connections, if the API has a case list (``--api-url``);
- directory API: the first page of the public directory API, 2 connections, for comparison
  (asked again and again, so answered from the kept pages after the first request).

Prints a table (scenario, requests, requests/s, median, p95, errors, target, PASS/FAIL) and the
CPU the server, the load generator and the rest of the machine took; exits 1 if a target fails.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    POSTGRES_ONLY,
    add_seed_arguments,
    database_description,
    ensure_second_factor,
    prepare_database,
    print_data_size,
    setup_django,
    title_of,
    top_case_managers,
)

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"

#: Targets of the scale issue.
MIXED_RPS = 200.0
MIXED_P95_MS = 150.0
LIST_RPS = 45.0  # at 20,000 cases; half of it at state size (200,000 cases)
LIST_CASES = 20_000
STATE_CASES = 200_000
API_RPS = 125.0
#: The name the case list of the API would have; measured only if it exists.
API_CASE_LIST = "api:cases"
#: Seconds from locust's start to the steady part of a run (imports, users spawned).
STARTUP = 3.0
TERMS = ["Beratung", "Deutsch", "Sprachkurs", "Familie", "Arbeit"]


@dataclass
class Outcome:
    scenario: str
    users: int
    requests: int = 0
    failures: int = 0
    seconds: float = 0.0
    median: float = 0.0
    p95: float = 0.0
    target: str = ""
    ok: bool | None = None
    note: str = ""
    ceiling: float = 0.0  # requests/s the CPU per request allows on idle cores

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def list_target(cases: int) -> float:
    """Requests/s the case list must reach: 45 up to 20,000 cases, half of it at 200,000.

    In between (and beyond) the target falls log-linearly with the number of cases.
    """
    if cases <= LIST_CASES:
        return LIST_RPS
    return LIST_RPS * 0.5 ** (math.log10(cases / LIST_CASES) / math.log10(STATE_CASES / LIST_CASES))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--warm-up", type=int, default=5, help="seconds of mixed load first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=4, help="simulated users of the mixed load")
    parser.add_argument("--list-users", type=int, default=2, help="connections on the case list")
    parser.add_argument("--personas", type=int, default=4, help="case managers (biggest centres)")
    parser.add_argument(
        "--scenarios",
        default="mixed,list,api,dirapi",
        help="comma-separated: mixed, list, api, dirapi",
    )
    parser.add_argument(
        "--api-url", default="", help=f"the case list of the API (default: URL {API_CASE_LIST!r})"
    )
    add_seed_arguments(parser)
    args = parser.parse_args(argv)
    # Not imported here: importing locust patches the standard library for gevent.
    if not all(importlib.util.find_spec(name) for name in ("locust", "psutil")):
        print(
            "The load test needs locust: make bench installs it "
            "(pip install -c requirements.lock -e '.[bench]').",
            file=sys.stderr,
        )
        return 2
    setup_django()

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            POSTGRES_ONLY.format(
                what="The load test measures", vendor=connection.vendor, script="load.py"
            ),
            file=sys.stderr,
        )
        return 2
    print(
        f"load test: database {database_description()}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, locust {importlib.metadata.version('locust')}"
    )
    prepare_database(args)
    sizes = print_data_size()
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]

    session_keys: list[str] = []
    with tempfile.TemporaryDirectory(prefix="teilhabe-load-") as folder:
        work = Path(folder)
        port = free_port()
        try:
            plan = make_plan(args, port, session_keys)
            if plan is None:
                return 1
            server = start_server(work, port, args.workers)
            try:
                outcomes = run_scenarios(args, plan, work, port, server, scenarios, sizes)
            finally:
                stop_server(server)
        finally:
            from django.contrib.sessions.backends.db import SessionStore

            for key in session_keys:
                SessionStore(session_key=key).delete()
    assert not settings.DEBUG  # noqa: S101
    print_table(outcomes)
    return 0 if all(o.ok is not False for o in outcomes) else 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_in(user: Any, authenticator: Any) -> tuple[str, str]:
    """Return a new session key of ``user`` signed in with password and TOTP, and a CSRF secret.

    The session is the one Django's log-in writes (user, backend, password hash), plus
    allauth's record of the authentication methods used (password, then the TOTP code).
    """
    from django.test import Client
    from django.utils.crypto import get_random_string

    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    # The secret of the CSRF cookie, as Django makes one (32 letters and digits).
    return session.session_key, get_random_string(32, string.ascii_letters + string.digits)


def make_plan(args: argparse.Namespace, port: int, keys: list[str]) -> dict[str, Any] | None:
    """Log the personas in, pick their cases and the directories, check every page once.

    The keys of the sessions made are added to ``keys`` (to be deleted at the end).
    """
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from teilhabe.cases.models import Case, Contact
    from teilhabe.core.models import Centre
    from teilhabe.offers.models import Offer

    personas = top_case_managers(args.personas)
    if not personas:
        print("load test: no case manager with cases; seed first")
        return None
    sessions: list[dict[str, Any]] = []
    cases_of = {}
    with scopes_disabled():
        for user, _ in personas:
            cases_of[user.pk] = list(
                Case.objects.filter(case_manager=user)
                .exclude(phase=Case.Phase.CLOSED)
                .order_by("pk")
                .values_list("pk", "reference")[:200]
            )
        directories = list(
            Centre.objects.annotate(
                n=Count("offers", filter=Q(offers__status=Offer.Status.PUBLISHED))
            )
            .filter(n__gt=0)
            .order_by("-n", "pk")
            .values_list("slug", "n")[:5]
        )
        big = [
            f"{u.email} ({Case.objects.filter(centre_id=c).count():,} cases in "
            f"{Centre.objects.get(pk=c).slug}, {len(cases_of[u.pk])} own open)"
            for u, c in personas
        ]
    print(f"personas ({len(personas)}): " + "; ".join(big))
    for n in range(max(args.users, args.list_users)):
        user, _ = personas[n % len(personas)]
        key, csrf = log_in(user, ensure_second_factor(user))
        keys.append(key)
        sessions.append({"cookie": key, "csrf": csrf, "cases": cases_of[user.pk]})

    # One request of each kind through Django's test client on the same sessions: it fails
    # early with a clear message, and gives the <title> each page must have under load.
    client = Client(HTTP_HOST=f"127.0.0.1:{port}")
    client.cookies["sessionid"] = sessions[0]["cookie"]
    pk, reference = sessions[0]["cases"][0]

    def title(url: str, *, anonymous: bool = False) -> str:
        response = (Client(HTTP_HOST=f"127.0.0.1:{port}") if anonymous else client).get(
            url, secure=True
        )
        if response.status_code != 200:
            raise SystemExit(f"load test: GET {url} answers HTTP {response.status_code}")
        return title_of(response.content)

    titles = {
        "home": title("/"),
        "list": title("/faelle/"),
        "detail": title(f"/faelle/{pk}/").replace(reference, "{ref}"),
        "contact": title(f"/faelle/{pk}/kontakte/").replace(reference, "{ref}"),
    }
    plan: dict[str, Any] = {
        "seed": args.seed,
        "host_name": "127.0.0.1",
        "host_header": f"127.0.0.1:{port}",
        "sessions": sessions,
        "titles": titles,
        "filters": [
            "/faelle/?phase=implementation&need=language",
            "/faelle/?phase=intake",
            "/faelle/?mine=on&phase=planning",
            "/faelle/?page=2",
            "/faelle/?sort=-opened",
        ],
        "today": timezone.localdate().isoformat(),
        "channels": [str(value) for value in Contact.Channel.values],
        "terms": TERMS,
        "directories": [],
    }
    for url in plan["filters"]:
        if title(url) != titles["list"]:
            raise SystemExit(f"load test: {url} is not the case list")
    for slug, _ in directories:
        plan["directories"].append(
            {"slug": slug, "title": title(f"/verzeichnis/{slug}/?q={TERMS[0]}", anonymous=True)}
        )
    if not plan["directories"]:
        print("load test: no published offers; the directory search is left out")
    try:
        plan["api_url"] = args.api_url or reverse(API_CASE_LIST)
    except NoReverseMatch:
        plan["api_url"] = ""
    print("pages checked: " + ", ".join(f"{k}: {v!r}" for k, v in titles.items()))
    return plan


def start_server(work: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start ``teilhabe serve`` with the production settings; return once it answers."""
    env = dict(os.environ)
    env.update(
        TEILHABE_DEBUG="0",
        TEILHABE_BEHIND_PROXY="1",
        DJANGO_SETTINGS_MODULE="teilhabe.settings",
    )
    for name in ("TEILHABE_DEMO", "TEILHABE_REQUIRE_MFA", "TEILHABE_HTTPS"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "teilhabe.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    server.log_path = work / "gunicorn.log"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn ended:\n{(work / 'gunicorn.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    print(f"gunicorn: {' '.join(command[2:])} (pid {server.pid}) is ready")
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_problems(server: subprocess.Popen[bytes]) -> list[str]:
    """Return the warnings and errors gunicorn logged since the last call (first ten)."""
    path = server.log_path  # type: ignore[attr-defined]
    with path.open("rb") as log:
        log.seek(getattr(server, "log_seen", 0))
        new = log.read()
        server.log_seen = log.tell()  # type: ignore[attr-defined]
    lines = [
        line
        for line in new.decode(errors="replace").splitlines()
        if " WARNING " in line or " ERROR " in line or "Traceback" in line
    ]
    return [f"    server log: {line}" for line in lines[:10]]


def database_cpu(name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving database ``name``, by pid.

    Only a PostgreSQL on this machine is seen (its backends name the database in their
    process title). Backends come and go (gunicorn reconnects after ``CONN_MAX_AGE``), so
    the samples are kept per process and added up by ``window_seconds``.
    """
    import psutil

    found = {}
    marker = f" {name} "
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and marker in title:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[process.pid] = times.user + times.system
    return found


def window_seconds(samples: list[dict[int, float]]) -> float:
    """CPU seconds that processes took between the first and the last of ``samples``.

    A process already there at the first sample counts from its CPU then, one that appeared
    later from zero (it is new); one that ended counts up to its last sample.
    """
    first, last = samples[0], {}
    for sample in samples:
        last.update(sample)
    return sum(cpu - first.get(pid, 0.0) for pid, cpu in last.items())


def cpu_seconds(process: Any) -> float:
    """User and system CPU seconds of ``process`` and its children so far."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except Exception:  # noqa: BLE001, S112 - a worker may have just been replaced
            continue
        total += times.user + times.system
    return total


def cpu_note(cpu: dict[str, float], rps: float) -> tuple[str, float]:
    """Say how the CPU of the machine was shared in the steady part of a run.

    From the CPU per request of gunicorn and PostgreSQL follows the ceiling of the
    throughput on a machine that does nothing else (no load generator either): the cores
    divided by that CPU. Returns the text and the ceiling (requests/s).
    """
    import psutil

    seconds = cpu["seconds"] or 1.0
    cores = psutil.cpu_count() or 1
    rest = max(0.0, cpu["machine"] - cpu["gunicorn"] - cpu["locust"] - cpu["postgres"])
    per_request = 1000 / (rps * seconds) if rps else 0.0
    server, database, generator = (
        cpu[what] * per_request for what in ("gunicorn", "postgres", "locust")
    )
    ceiling = cores * 1000 / (server + database) if per_request else 0.0
    share = {
        what: cpu[what] / seconds * 100 for what in ("gunicorn", "postgres", "locust", "machine")
    }
    return (
        f"CPU in {seconds:.0f} s of steady load ({cores} cores = {cores * 100} %): gunicorn "
        f"{share['gunicorn']:.0f} %, PostgreSQL (this database) {share['postgres']:.0f} %, "
        f"locust {share['locust']:.0f} %, other processes {rest / seconds * 100:.0f} %, idle "
        f"{max(0.0, cores * 100 - share['machine']):.0f} %\n"
        f"  CPU per request: gunicorn {server:.1f} ms, PostgreSQL {database:.1f} ms, locust "
        f"{generator:.2f} ms (locust in all, start-up included: {cpu['locust total']:.1f} s); "
        f"ceiling of gunicorn and PostgreSQL on {cores} otherwise idle cores: "
        f"{ceiling:.0f} requests/s"
    ), ceiling


def run_locust(
    work: Path,
    port: int,
    plan: dict[str, Any],
    name: str,
    user_class: str,
    users: int,
    seconds: int,
    server: Any = None,
    database: str = "",
) -> tuple[list[dict[str, Any]], dict[str, float], str]:
    """Run locust headless for ``seconds``; return its stats, the CPU it took, its log.

    CPU (seconds) of locust, of gunicorn (``server``, a psutil process), of the PostgreSQL
    backends of ``database`` and of the whole machine is sampled every half second; the
    figures are those of the steady part of the run, from ``STARTUP`` seconds after locust
    started (its imports, the users spawned) to the last sample. ``locust total`` is all
    the CPU locust took, start-up included.
    """
    import psutil

    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    prefix = work / name
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    env = dict(os.environ, TEILHABE_LOAD_PLAN=str(work / "plan.json"))
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    started = time.perf_counter()
    samples = []
    with (work / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        generator = psutil.Process(process.pid)
        while True:
            pid, _, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > seconds + 60:
                process.kill()  # locust stops itself after --run-time; this one hangs
                _, _, usage = os.wait4(process.pid, 0)
                break
            try:
                own = generator.cpu_times()
            except psutil.Error:
                continue
            machine = psutil.cpu_times()
            samples.append(
                (
                    time.perf_counter(),
                    own.user + own.system,
                    cpu_seconds(server) if server is not None else 0.0,
                    sum(machine) - machine.idle - machine.iowait,
                    database_cpu(database) if database else {},
                )
            )
            time.sleep(0.5)
        process.returncode = 0
    steady = [each for each in samples if each[0] >= started + STARTUP] or samples
    first, last = steady[0], steady[-1]
    cpu = {
        "seconds": last[0] - first[0],
        "locust": last[1] - first[1],
        "gunicorn": last[2] - first[2],
        "machine": last[3] - first[3],
        "postgres": window_seconds([each[4] for each in steady]),
        "locust total": usage.ru_utime + usage.ru_stime,
    }
    output = (work / f"{name}.log").read_text(errors="replace")
    stats_file = Path(f"{prefix}.json")
    if not stats_file.exists():
        raise SystemExit(f"locust wrote no statistics:\n{output[-3000:]}")
    stats = json.loads(stats_file.read_text())
    return stats, cpu, output


def summarise(stats: list[dict[str, Any]], outcome: Outcome) -> Outcome:
    """Add up the entries of a locust run (all request names) into ``outcome``."""
    times: dict[int, int] = {}
    first, last = math.inf, 0.0
    for entry in stats:
        outcome.requests += entry["num_requests"]
        outcome.failures += entry["num_failures"]
        for ms, count in entry["response_times"].items():
            times[int(float(ms))] = times.get(int(float(ms)), 0) + count
        first = min(first, entry["start_time"])
        last = max(last, entry["last_request_timestamp"] or 0)
    outcome.seconds = max(0.0, last - first)
    outcome.median = percentile(times, 50)
    outcome.p95 = percentile(times, 95)
    return outcome


def percentile(times: dict[int, int], percent: float) -> float:
    """Nearest-rank percentile of a {milliseconds: count} histogram (locust's rounding)."""
    total = sum(times.values())
    if not total:
        return 0.0
    rank = math.ceil(percent / 100 * total)
    seen = 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= rank:
            return float(ms)
    return float(max(times))


def per_name(stats: list[dict[str, Any]]) -> list[str]:
    lines = []
    for entry in sorted(stats, key=lambda e: -e["num_requests"]):
        times = {int(float(k)): v for k, v in entry["response_times"].items()}
        lines.append(
            f"    {entry['name']:<30} {entry['num_requests']:>6} requests, "
            f"{entry['num_failures']} errors, median {percentile(times, 50):.0f} ms, "
            f"p95 {percentile(times, 95):.0f} ms"
        )
    return lines


def failures(work: Path, name: str) -> list[str]:
    path = work / f"{name}_failures.csv"
    if not path.exists():
        return []
    rows = path.read_text(errors="replace").splitlines()[1:]
    return [f"    failure: {row}" for row in rows[:10]]


def run_scenarios(
    args: argparse.Namespace,
    plan: dict[str, Any],
    work: Path,
    port: int,
    server: subprocess.Popen[bytes],
    scenarios: list[str],
    sizes: dict[str, int],
) -> list[Outcome]:
    import psutil
    from django.db import connection

    gunicorn = psutil.Process(server.pid)
    database = connection.settings_dict["NAME"]
    if args.warm_up > 0:
        run_locust(work, port, plan, "warm-up", "StaffUser", args.users, args.warm_up + 2)
        print(f"warm-up: {args.warm_up} s of mixed load, not counted")
    outcomes = []
    cases = sizes.get("cases", 0)
    list_rps = list_target(cases)
    runs = {
        "mixed": (
            "StaffUser",
            args.users,
            f"≥ {MIXED_RPS:.0f}/s, p95 < {MIXED_P95_MS:.0f} ms",
            lambda o: o.rps >= MIXED_RPS and o.p95 < MIXED_P95_MS,
            "mixed staff workload",
        ),
        "list": (
            "CaseListUser",
            args.list_users,
            f"≥ {list_rps:.1f}/s ({cases:,} cases)",
            lambda o: o.rps >= list_rps,
            "case list HTML",
        ),
        "api": (
            "CaseListApiUser",
            args.list_users,
            f"≥ {API_RPS:.0f}/s",
            lambda o: o.rps >= API_RPS,
            "case list JSON (API)",
        ),
        "dirapi": (
            "DirectoryApiUser",
            args.list_users,
            "(no target)",
            lambda o: None,
            "directory API JSON",
        ),
    }
    for name in scenarios:
        if name not in runs:
            raise SystemExit(f"load test: unknown scenario {name!r}; known: {', '.join(runs)}")
        user_class, users, target, passes, label = runs[name]
        outcome = Outcome(label, users, target=target)
        if name == "dirapi" and not plan["directories"]:
            continue
        if name == "api" and not plan["api_url"]:
            outcome.ok = None
            outcome.target = f"≥ {API_RPS:.0f}/s: not measured"
            outcome.note = f"the API has no case list (no URL named {API_CASE_LIST!r})"
            print(f"{label}: not run, {outcome.note}")
            outcomes.append(outcome)
            continue
        plan["_next"] = 0
        stats, cpu, log = run_locust(
            work, port, plan, name, user_class, users, args.duration, gunicorn, database
        )
        summarise(stats, outcome)
        verdict = passes(outcome)
        outcome.ok = (
            None
            if verdict is None and not outcome.failures
            else (outcome.failures == 0 and bool(verdict))
        )
        outcome.note, outcome.ceiling = cpu_note(cpu, outcome.rps)
        print(
            f"{label} ({users} users, {args.duration} s): {outcome.requests:,} requests, "
            f"{outcome.rps:.1f}/s, median {outcome.median:.0f} ms, p95 {outcome.p95:.0f} ms, "
            f"{outcome.failures} errors"
        )
        print("\n".join(per_name(stats)))
        print("\n".join(failures(work, name)))
        print(f"  {outcome.note}")
        if "Traceback" in log:
            print(log[-3000:])
        print("\n".join(server_problems(server)))
        outcomes.append(outcome)
    return outcomes


def print_table(outcomes: list[Outcome]) -> None:
    print()
    print("load test results")
    header = (
        f"{'scenario':<22} {'users':>5} {'requests':>9} {'req/s':>7} {'median':>8} {'p95':>8} "
        f"{'errors':>6} {'ceiling':>7}  {'target':<34} result"
    )
    print(header)
    print("-" * len(header))
    for o in outcomes:
        verdict = "-" if o.ok is None else ("PASS" if o.ok else "FAIL")
        if not o.requests:
            print(
                f"{o.scenario:<22} {o.users:>5} {'':>9} {'':>7} {'':>8} {'':>8} {'':>6} {'':>7}  "
                f"{o.target:<34} {verdict}"
            )
            continue
        print(
            f"{o.scenario:<22} {o.users:>5} {o.requests:>9,} {o.rps:>7.1f} {o.median:>5.0f} ms "
            f"{o.p95:>5.0f} ms {o.failures:>6} {o.ceiling:>7.0f}  {o.target:<34} {verdict}"
        )
    print(
        "ceiling: requests/s the CPU per request of gunicorn and PostgreSQL allows on otherwise "
        "idle cores;\nthe verdicts are on the measured requests/s, which other processes on the "
        "machine lower."
    )


if __name__ == "__main__":
    sys.exit(main())
