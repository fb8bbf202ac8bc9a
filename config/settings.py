"""Settings for msglab.

One module for every environment. Everything that differs between a laptop and a server comes
from environment variables, read with the small helpers below; the defaults are safe for local
development. `DEBUG=0` switches on the production hardening (HTTPS redirect, HSTS, secure
cookies) and requires `SECRET_KEY`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """Read a boolean: 1/true/yes/on or 0/false/no/off (any case); anything else is an error."""
    value = os.getenv(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected an integer") from None


def envstr(name: str, default: str = "") -> str:
    return os.getenv(name, default)


def envlist(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list; blank items are dropped."""
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-msglab-dev-only-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Daphne first: its runserver replaces Django's, serving ASGI (and WebSockets).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "simulator",
    "lessons",
]

MIDDLEWARE = [
    # Outermost, so that it compresses what WhiteNoise serves too: a class of 300 on one
    # access point loads a lesson page in a third of the bytes. Django's gzip pads each
    # response with random bytes against BREACH, and its CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.SyncChain",  # last: the chain runs sync, in one thread hop
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite file by default; DATABASE_URL (e.g. postgres://user:pass@host/msglab) overrides it.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'msglab.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests get a file, not memory: the live stream reads the database from a thread pool,
    # and an in-memory SQLite database is a different, empty one in every thread.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-msglab.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# In-memory channel layer for a single process; REDIS_URL for several Daphne processes.
# A room's frames reach each process through one channel (simulator/rooms/hub.py), so its
# queue holds every room's frames for a moment: far more than the default 100, which a full
# group_send would silently drop into.
CHANNEL_CAPACITY = 5000
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives up on a read after 5 s by default, exactly as long as
                # channels_redis blocks waiting for a message: every idle consumer then fails
                # with "Timeout reading". Reads may take longer than that wait.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "capacity": CHANNEL_CAPACITY,
            },
        }
    }
    # the join-code guessing limit is counted once for every process
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }

# Live runs (docs/protocol.md): how long a run waits for a viewer whose connection dropped,
# how many runs one process keeps, and how many control frames a viewer may send per second.
MSGLAB_RUN_GRACE_SECONDS = envint("MSGLAB_RUN_GRACE_SECONDS", 120)
MSGLAB_MAX_RUNS = envint("MSGLAB_MAX_RUNS", 500)
MSGLAB_FRAMES_PER_SECOND = envint("MSGLAB_FRAMES_PER_SECOND", 20)
# Classroom rooms (docs/protocol.md, Rooms): how long a room lives without any activity, how
# long a process's hold on a room outlasts its last renewal (a dead process's rooms move to
# another after this), and how many wrong join codes one address may try per minute.
MSGLAB_ROOM_IDLE_MINUTES = envint("MSGLAB_ROOM_IDLE_MINUTES", 240)
MSGLAB_ROOM_LEASE_SECONDS = envint("MSGLAB_ROOM_LEASE_SECONDS", 5)
# A whole school may share one NAT address, typos included; one address guessing at this rate
# needs about 27 years, on average, to hit a given room's code among 3.4 billion.
MSGLAB_JOIN_GUESSES_PER_MINUTE = envint("MSGLAB_JOIN_GUESSES_PER_MINUTE", 120)
# Directories of your own scenario files (topology v1, one <slug>.json each), beside the
# built-in ones: e.g. your team's architecture.
MSGLAB_SCENARIO_DIRS = envlist("MSGLAB_SCENARIO_DIRS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: our own in static/, collected into staticfiles/ and served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed, cache-forever names in production (needs `collectstatic`);
        # plain names in development so a missing manifest never breaks a page.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
# Fixed here (not left to WhiteNoise, which reads DEBUG at start-up) so that test runs, where
# pytest-django turns DEBUG off, still find files without a collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Production hardening: on whenever DEBUG is off; each switch can be turned off by env.
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages use comes from this origin: no inline script or style, no eval, no
# frames. 'self' covers the live stream's ws:/wss: on the same host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Replaces Django's own "django" logger config, which would print every line twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
