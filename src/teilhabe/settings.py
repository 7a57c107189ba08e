"""Settings of Teilhabe, read from the environment.

Every setting a deployment may change is a ``TEILHABE_*`` variable (or ``DATABASE_URL``) read
through the small helpers below and documented in ``docs/configuration.md``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    """Return the variable ``name`` or ``default``."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Return the variable ``name`` read as a yes/no value."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value, not {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable ``name`` read as an integer."""
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated variable ``name`` as a list."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """Return the secret ``name``, or the contents of the file named by ``NAME_FILE``."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    return None


#: Folder for the SQLite database, the generated secret key and uploads.
DATA_DIR = Path(env_str("TEILHABE_DATA_DIR", str(PROJECT_DIR / "var")))

#: Debug mode: detailed error pages, no HTTPS enforcement. Never in production.
DEBUG = env_bool("TEILHABE_DEBUG", False)

#: Demo mode: shows the demo log-ins on the log-in page and allows MFA to be switched off.
DEMO = env_bool("TEILHABE_DEMO", False)


def _secret_key() -> str:
    """Return the configured secret key, or one generated once and kept in ``DATA_DIR``."""
    if key := env_secret("TEILHABE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        try:  # readable by the owner only from the first byte; a second start reads it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(64))
    return path.read_text(encoding="utf-8").strip()


#: Secret key for signing sessions and tokens (or ``TEILHABE_SECRET_KEY_FILE``).
SECRET_KEY = _secret_key()

#: Host names this deployment answers to.
ALLOWED_HOSTS = env_list("TEILHABE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

#: Origins trusted for CSRF (behind a proxy), e.g. ``https://teilhabe.example.nrw``.
CSRF_TRUSTED_ORIGINS = env_list("TEILHABE_CSRF_TRUSTED_ORIGINS", [])

#: Ask for a second factor (TOTP) from every role that can see personal data.
REQUIRE_MFA = env_bool("TEILHABE_REQUIRE_MFA", True)

#: Months after which an offer nobody confirmed is flagged as stale.
OFFER_STALE_MONTHS = env_int("TEILHABE_OFFER_STALE_MONTHS", 12)

#: Years a newcomer pupil's record is kept after the first school day or the end of the record
#: (moved away, other reason); then ``teilhabe pupil_retention`` deletes it (VO-DV I).
PUPIL_RETENTION_YEARS = env_int("TEILHABE_PUPIL_RETENTION_YEARS", 2)

#: Minutes a stored figure of a month not yet over stays current; ``teilhabe figures`` then
#: computes it again. Figures computed after their month was over are final.
FIGURES_MAX_AGE_MINUTES = env_int("TEILHABE_FIGURES_MAX_AGE_MINUTES", 60)

#: Uploaded case documents; never served directly, only through a view that checks access.
MEDIA_ROOT = Path(env_str("TEILHABE_MEDIA_ROOT", str(DATA_DIR / "media")))
#: Largest file (in MB) a case document may have.
UPLOAD_MAX_MB = env_int("TEILHABE_UPLOAD_MAX_MB", 10)
FILE_UPLOAD_PERMISSIONS = 0o600

#: Address that receives accessibility feedback (BITV NRW feedback mechanism).
FEEDBACK_EMAIL = env_str("TEILHABE_FEEDBACK_EMAIL", "barrierefreiheit@teilhabe.example")

INSTALLED_APPS = [
    "teilhabe.core",
    "teilhabe.reporting",
    "teilhabe.network",
    "teilhabe.offers",
    "teilhabe.cases",
    "teilhabe.schooling",
    "teilhabe.api",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "django_scopes",
    "auditlog",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "teilhabe.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "teilhabe.core.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "teilhabe.core.middleware.MfaRequiredMiddleware",
    "teilhabe.core.middleware.TenantScopeMiddleware",
]

ROOT_URLCONF = "teilhabe.urls"
WSGI_APPLICATION = "teilhabe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "teilhabe.core.context_processors.shell",
            ],
            # {% load i18n %}: Django's tags, a fixed {% translate %} text translated once.
            "libraries": {"i18n": "teilhabe.core.i18n_library"},
        },
    },
]
#: templates.W003 reports a library name used by two modules: here "i18n", on purpose (above).
#: core/tests/test_i18n_library.py fails on any other name used twice.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
#: Form widgets render through Django's templates, selects directly (core/renderers.py).
FORM_RENDERER = "teilhabe.core.renderers.FormRenderer"

#: Database, e.g. ``postgres://user@host:5432/teilhabe``; default is a SQLite file in DATA_DIR.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'teilhabe.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # ``.iterator()`` (model choice fields) then fetches in one round trip instead of
    # DECLARE/FETCH/CLOSE, and a transaction-mode connection pooler (PgBouncer) works.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    if env_bool("TEILHABE_DB_PREPARED_STATEMENTS", True):
        # Parameters go to the server apart from the query, and a query run five times on a
        # connection is prepared there: PostgreSQL plans the same case-file queries once per
        # connection instead of on every request (half its CPU under the load test). Turn it
        # off behind a pooler in transaction mode that cannot keep prepared statements
        # (PgBouncer before 1.21, or without max_prepared_statements).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Tests use a file too: the browser tests' live server then gives every request thread
    # a connection of its own instead of sharing one in-memory database across threads.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Cache shared by all worker processes (log-in rate limits live here). Default: the database.
CACHE_URL = env_str("TEILHABE_CACHE_URL", "db://teilhabe_cache")
if CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://"),
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"TEILHABE_CACHE_URL: unknown cache {CACHE_URL!r}")
#: Rendered searches of the public directory, in each worker's memory: anyone can fill it with
#: searches, so it must never push the log-in rate limits out of the shared cache. Which
#: generation of searches is current lives in the shared cache (offers/directory.py).
CACHES["directory"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "teilhabe-directory",
    "OPTIONS": {"MAX_ENTRIES": 500},
}
#: What every request needs and seldom changes, in each worker's memory: each user's memberships
#: (roles, centres, Bezirke), the choices of the case list's filters. A generation in the shared
#: cache says what is current; every change to what they are made of starts a new one at once
#: (core/generations.py). TIMEOUT bounds what no signal reports.
CACHES["kept"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "teilhabe-kept",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: e-mail log-in, accounts are created by a centre's administration.
ACCOUNT_ADAPTER = "teilhabe.core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Teilhabe"
MFA_RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
#: Where ``collectstatic`` puts the files a production web server serves.
STATIC_ROOT = Path(env_str("TEILHABE_STATIC_ROOT", str(DATA_DIR / "static")))
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/kern", NODE_MODULES / "@kern-ux/native/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js/dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet/dist"),
]
#: Serve static files straight from the packages: default until ``collectstatic`` has been run.
_COLLECTING = sys.argv[1:2] == ["collectstatic"]  # collectstatic writes the manifest
STATIC_FROM_FINDERS = env_bool(
    "TEILHABE_STATIC_FROM_FINDERS",
    DEBUG or (not _COLLECTING and not (STATIC_ROOT / "staticfiles.json").exists()),
)
if STATIC_FROM_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_FINDERS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_FINDERS
WHITENOISE_AUTOREFRESH = DEBUG

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Production defaults are strict; ``TEILHABE_HTTPS=0`` is for plain-HTTP local use.
#: The site is served over HTTPS (cookies secure, HSTS, redirect to HTTPS).
HTTPS = env_bool("TEILHABE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
#: Ask browsers to put the domain on the HSTS preload list.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("TEILHABE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TEILHABE_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("TEILHABE_SESSION_SECONDS", 8 * 60 * 60)
#: Django's database sessions, read without building the query each time (core/sessions.py).
SESSION_ENGINE = "teilhabe.core.sessions"
X_FRAME_OPTIONS = "DENY"

#: Tile source of the maps (a URL template with ``{z}/{x}/{y}``); empty: the maps are drawn as
#: inline SVG without tiles. The demo uses OpenStreetMap's tiles, a deployment chooses its own.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
MAP_TILES = env_str("TEILHABE_MAP_TILES", OSM_TILES if DEMO else "")
#: Credit shown on the tile maps (plain text), as the tile source's licence asks.
MAP_ATTRIBUTION = env_str(
    "TEILHABE_MAP_ATTRIBUTION",
    "© OpenStreetMap contributors (ODbL)" if MAP_TILES == OSM_TILES else "",
)

# The pages that draw a tile map add the tile host to their own img-src (core.maps.allow_tiles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

#: Where e-mail goes: ``console`` (default) prints it, ``smtp`` sends it through TEILHABE_SMTP_*.
EMAIL_MODE = env_str("TEILHABE_EMAIL", "console")
if EMAIL_MODE == "smtp":
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("TEILHABE_SMTP_HOST", "localhost")
    EMAIL_PORT = env_int("TEILHABE_SMTP_PORT", 587)
    EMAIL_HOST_USER = env_str("TEILHABE_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("TEILHABE_SMTP_PASSWORD") or ""
    EMAIL_USE_TLS = True
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
#: Sender address of mails from Teilhabe.
DEFAULT_FROM_EMAIL = env_str("TEILHABE_FROM_EMAIL", "teilhabe@teilhabe.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Teilhabe API",
    "DESCRIPTION": "Public directory of integration offers of the Kommunale Integrationszentren.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TEILHABE_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "INFO"}},
}
