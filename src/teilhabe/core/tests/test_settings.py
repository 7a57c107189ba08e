"""The real settings module: secure defaults, SQLite tuning, the secret key and its docs."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ImproperlyConfigured

import teilhabe
import teilhabe.settings

SETTINGS_FILE = Path(teilhabe.settings.__file__)
SRC_DIR = Path(teilhabe.__file__).resolve().parent.parent
DOCS = SRC_DIR.parent / "docs" / "configuration.md"


def _env(tmp_path: Path, *, database_url: bool = True, **variables: str) -> dict[str, str]:
    """Return a clean environment for a child process: only what the test gives it."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(SRC_DIR),
        "DJANGO_SETTINGS_MODULE": "teilhabe.settings",
        "TEILHABE_DATA_DIR": str(tmp_path),
        **variables,
    }
    if database_url and os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )


def _deploy_check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = _env(
        tmp_path,
        TEILHABE_SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        TEILHABE_ALLOWED_HOSTS="teilhabe.example.nrw",
        TEILHABE_DEBUG="0",
        **variables,
    )
    return _run(["-m", "teilhabe.cli", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_production_defaults_pass_the_deploy_check(tmp_path):
    result = _deploy_check(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_fails_the_deploy_check(tmp_path):
    """Proves the check above is real: switching HTTPS off must be reported."""
    result = _deploy_check(tmp_path, TEILHABE_HTTPS="0")

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_argon2_is_the_password_hasher():
    # conftest swaps django.conf.settings.PASSWORD_HASHERS for speed; the module keeps the truth.
    assert teilhabe.settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("a-long-test-password", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("a-long-test-password", encoded)


SQLITE_PROBE = """
import json, sqlite3
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy_timeout = cursor.fetchone()[0]
with transaction.atomic():
    # IMMEDIATE: opening the transaction takes the write lock, so a second writer must wait.
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
        second_writer = "got the lock"
    except sqlite3.OperationalError as error:
        second_writer = str(error)
options = settings.DATABASES["default"]["OPTIONS"]
print(json.dumps({
    "journal_mode": journal_mode,
    "busy_timeout": busy_timeout,
    "second_writer": second_writer,
    "transaction_mode": options.get("transaction_mode"),
    "timeout": options.get("timeout"),
}))
"""


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    result = _run(["-c", SQLITE_PROBE], _env(tmp_path, database_url=False))

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["journal_mode"] == "wal"
    assert probe["transaction_mode"] == "IMMEDIATE"
    assert probe["timeout"] >= 5
    assert probe["busy_timeout"] == probe["timeout"] * 1000
    assert probe["second_writer"] == "database is locked"
    assert (tmp_path / "teilhabe.sqlite3").exists()


def _load_settings(monkeypatch, data_dir: Path, **variables: str) -> ModuleType:
    """Execute settings.py afresh under the given environment (django.conf stays untouched)."""
    for name in ("TEILHABE_SECRET_KEY", "TEILHABE_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEILHABE_DATA_DIR", str(data_dir))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("teilhabe_settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_secret_key_is_kept_private_and_reused(monkeypatch, tmp_path):
    first = _load_settings(monkeypatch, tmp_path)
    key_file = tmp_path / "secret_key"

    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.SECRET_KEY) >= 50
    assert first.SECRET_KEY == key_file.read_text(encoding="utf-8").strip()
    assert _load_settings(monkeypatch, tmp_path).SECRET_KEY == first.SECRET_KEY
    elsewhere = _load_settings(monkeypatch, tmp_path / "elsewhere")
    assert elsewhere.SECRET_KEY != first.SECRET_KEY


def test_secret_key_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "run-secrets" / "teilhabe_key"
    secret.parent.mkdir()
    secret.write_text("from-a-mounted-secret-" + "x" * 40 + "\n", encoding="utf-8")

    settings = _load_settings(monkeypatch, tmp_path / "data", TEILHABE_SECRET_KEY_FILE=str(secret))

    assert settings.SECRET_KEY == "from-a-mounted-secret-" + "x" * 40
    assert not (tmp_path / "data" / "secret_key").exists()


def test_a_yes_no_setting_refuses_other_values(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="TEILHABE_HTTPS"):
        _load_settings(monkeypatch, tmp_path, TEILHABE_HTTPS="vielleicht")


def test_postgresql_prepares_its_queries_unless_told_not_to(monkeypatch, tmp_path):
    postgres = "postgres://teilhabe@db.example.nrw:5432/teilhabe"
    on = _load_settings(monkeypatch, tmp_path, DATABASE_URL=postgres).DATABASES["default"]
    assert on["OPTIONS"]["server_side_binding"] is True
    assert on["OPTIONS"]["prepare_threshold"] == 5

    off = _load_settings(
        monkeypatch, tmp_path, DATABASE_URL=postgres, TEILHABE_DB_PREPARED_STATEMENTS="0"
    ).DATABASES["default"]
    assert "server_side_binding" not in off.get("OPTIONS", {})
    assert "prepare_threshold" not in off.get("OPTIONS", {})

    sqlite = _load_settings(monkeypatch, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/t.db")
    assert "server_side_binding" not in sqlite.DATABASES["default"]["OPTIONS"]


@pytest.mark.django_db
def test_a_query_asked_again_is_prepared_on_the_server():
    from django.db import connection

    from teilhabe.core.models import User

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for pk in range(6):  # the same query with other values: the fifth time it is prepared
        list(User.objects.filter(pk=pk, email__startswith="prepared-probe"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    probes = [s for s in statements if '"core_user"' in s and "LIKE" in s]
    assert probes, statements
    assert not [s for s in probes if "prepared-probe" in s]  # the value went apart from the query


def _variables_read_by_settings() -> set[str]:
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    return set(re.findall(r'"(TEILHABE_[A-Z_]+)"', source)) | {"DATABASE_URL"}


def test_every_environment_variable_is_documented():
    names = _variables_read_by_settings()
    docs = DOCS.read_text(encoding="utf-8")

    assert len(names) > 10
    missing = sorted(name for name in names if f"`{name}`" not in docs)
    assert not missing, f"not documented in docs/configuration.md: {missing}"


def test_every_secret_documents_its_file_variant():
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    docs = DOCS.read_text(encoding="utf-8")
    secret_names = re.findall(r'env_secret\(\s*"(TEILHABE_[A-Z_]+)"', source)

    assert "TEILHABE_SECRET_KEY" in secret_names
    missing = sorted(f"{name}_FILE" for name in secret_names if f"`{name}_FILE`" not in docs)
    assert not missing, f"not documented in docs/configuration.md: {missing}"


STATIC_PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "from_finders": settings.STATIC_FROM_FINDERS,
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def _collectstatic_then_start(tmp_path: Path, **variables: str) -> dict[str, object]:
    env = _env(tmp_path, TEILHABE_SECRET_KEY=secrets.token_urlsafe(48))
    collected = _run(
        ["-m", "teilhabe.cli", "collectstatic", "--noinput", "-v", "0"], {**env, **variables}
    )
    assert collected.returncode == 0, collected.stderr
    started = _run(["-c", STATIC_PROBE], env)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def test_documented_collectstatic_switches_the_next_start_to_the_manifest(tmp_path):
    probe = _collectstatic_then_start(tmp_path, TEILHABE_STATIC_FROM_FINDERS="0")

    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert probe == {
        "from_finders": False,
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_plain_collectstatic_switches_the_next_start_to_the_manifest(tmp_path):
    probe = _collectstatic_then_start(tmp_path)

    assert probe["from_finders"] is False


def test_a_worker_collects_garbage_less_often_than_python_by_default():
    import gc
    import importlib

    before = gc.get_threshold()
    try:
        wsgi = importlib.import_module("teilhabe.wsgi")
        importlib.reload(wsgi)  # as a new worker imports it
        assert gc.get_threshold() == wsgi.GC_THRESHOLDS
        assert gc.get_threshold()[0] >= 10 * 700
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
