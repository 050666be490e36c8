"""Back In Shape settings: one file, configured from the environment (12-factor).

Every value that differs between a laptop and production is read through the small
typed helpers below; a malformed value stops start-up with a message naming the variable.
"""

import datetime as dt
import os
import secrets
import sys
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_time(name: str, default: str) -> dt.time:
    raw = env_str(name, default)
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time like 07:00, not {raw!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG", False)

# Commands that neither serve requests nor sign anything may run without the secret, so
# a build step (collectstatic) or a migrations check works on a machine with no secrets.
_KEYLESS_COMMANDS = {"makemigrations", "collectstatic", "compilemessages", "help", "version"}
_command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") else ""

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if _command in _KEYLESS_COMMANDS:
        SECRET_KEY = secrets.token_urlsafe(64)  # thrown away: nothing is signed with it
    elif not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random "
            "secret, for example from: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG-true"

# The port `make run` serves on; every absolute link (emails, feeds, the sitemap) follows it
# through SITE_URL's default, unless SITE_URL names the public address itself.
PORT = env_int("PORT", 8000)
if not 0 < PORT < 65536:
    raise ImproperlyConfigured(f"PORT must be a port number (1 to 65535), not {PORT}.")
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
_site_host = urlsplit(SITE_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (
    ["127.0.0.1", "localhost", "[::1]", "testserver", _site_host] if DEBUG else [_site_host]
)
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("https://") else []

INSTALLED_APPS = [
    "staff.admin_config.BackInShapeAdminConfig",  # django.contrib.admin, safer lists
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search and trigram similarity on PostgreSQL
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",  # a second step at sign-in: authenticator app, passkeys, recovery codes
    "csp",
    "anymail",
    "django_ratelimit",  # for its system checks on the cache the limits count in
    "backinshape.apps.BackInShapeConfig",  # the site's own system checks
    "staff",  # the staff desk, a member's page, the status page, the admin's sign-in
    "common.page_cache",  # connects which model change forgets which cached pages
    "members",
    "episodes",
    "programs",
    "pages",
    "demostripe",  # a stand-in for Stripe with DEBUG on and no keys (demostripe/__init__.py)
    "outbox",  # the development outbox at /dev/outbox/, with DEBUG on only
]

GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
SOCIALACCOUNT_PROVIDERS: dict = {}
if GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}],
        "SCOPE": ["profile", "email"],
        "VERIFIED_EMAIL": True,
    }

MIDDLEWARE = [
    "backinshape.logging.RequestIdMiddleware",
    # gzip for pages, feeds, sitemap and robots.txt (and static files in development),
    # above the page cache so the cache only ever stores plain bodies (and its own
    # compressed copy): common/compression.py.
    "common.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.page_cache.middleware.AnonymousPageCacheMiddleware",
    "common.page_cache.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "common.refuse_nul.RefuseNulInAddressMiddleware",
]

ROOT_URLCONF = "backinshape.urls"
WSGI_APPLICATION = "backinshape.wsgi.application"

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
                "backinshape.context_processors.site",
                "members.context_processors.policy_notices",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has web, worker and beat writing to one SQLite file. WAL lets readers
    # carry on during a write; IMMEDIATE takes the write lock when a transaction starts, so
    # two writers queue for up to `timeout` seconds instead of one failing mid-transaction
    # with "database is locked" (https://www.sqlite.org/wal.html, /lang_transaction.html).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "backinshape",
        }
    }
elif env_str("CACHE_DIR"):
    # A cache in files, shared by the processes of one machine: `make run`'s web, worker and
    # beat see one heartbeat and one page-cache generation without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR"),
            "KEY_PREFIX": "backinshape",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# gunicorn's worker count (deploy/gunicorn.conf.py reads the same variable; unset, two per
# core plus one). Local memory is one cache per process: in production that needs
# WEB_CONCURRENCY=1 and no Celery worker, else REDIS_URL (backinshape/checks.py).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 0)

# Whole public pages for visitors without an account (common/page_cache/middleware.py,
# AnonymousPageCacheMiddleware; README "Caching"). Any content change forgets them all.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 300)  # seconds, in our own cache
# What caches downstream may do with those pages. Shared caches (the nginx micro-cache, a
# CDN) keep a page 5 s, then may serve it 5 s more while one request fetches it afresh;
# browsers revalidate every time (a 304 with the ETag). No cache can purge on a change, so
# together that is how long a change (a paragraph moved behind the members-only divider)
# can take to show everywhere: at most 10 s.
PAGE_CACHE_CONTROL = env_str(
    "PAGE_CACHE_CONTROL", "public, max-age=0, s-maxage=5, stale-while-revalidate=5"
)
PAGE_CACHE_DEBUG_HEADER = env_bool("PAGE_CACHE_DEBUG_HEADER", DEBUG)  # X-Cache: hit / miss

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/account/"
# The pages of the apps above members that members' views and emails send people to, as
# URL names: members sits below episodes and the Program, so it names none of them itself.
MEMBERS_HOME_URL = "episodes:home"
MEMBERS_PROGRAM_URL = "programs:overview"
MEMBERS_PRIVATE_FEED_URL = "episodes:private_podcast_feed"  # reversed with the feed token

# django-allauth: the email address is the login, and it must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
# Only an email is needed: a password is optional, since sign-in by emailed code works.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"  # adds the display name
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Back In Shape] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_RATE_LIMITS_ENABLED = True
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True

# Two-step sign-in (allauth.mfa): an authenticator app (TOTP, RFC 6238) or passkeys and
# security keys (WebAuthn), with recovery codes. Anyone signed in may turn it on at
# /accounts/2fa/; a passkey also signs in on its own, from the sign-in page.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Back In Shape"
# WebAuthn wants HTTPS; browsers treat http://localhost as secure, which `make run` and the
# browser tests use. Never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Staff cannot use the admin until they have an authenticator app or a passkey, and the
# admin's sign-in asks for it (staff/login.py). Off in development, so
# `make run`'s demo staff login works as it is.
STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", not DEBUG)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("SITE_TIME_ZONE", "Europe/London")
USE_I18N = True
LANGUAGES = [("en-gb", "English")]
# British wording for django-allauth's pages (see locale/en_GB/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Uploaded audio and images: local disk (MEDIA_ROOT) on one machine; with several web
# machines, S3-compatible object storage (django-storages), shared by all of them:
#   MEDIA_STORAGE_URL=s3://bucket/optional/prefix?endpoint_url=https://…&region=eu-west-2
#     &custom_domain=media.example.org&querystring_auth=false
# Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself.
_S3_OPTIONS = {  # query parameter -> (S3Storage option, type)
    "endpoint_url": ("endpoint_url", str),
    "region": ("region_name", str),
    "custom_domain": ("custom_domain", str),
    "querystring_auth": ("querystring_auth", bool),
    "querystring_expire": ("querystring_expire", int),
    "addressing_style": ("addressing_style", str),
    "default_acl": ("default_acl", str),
}


def media_storage_from_url(url: str) -> dict:
    """STORAGES["default"] for MEDIA_STORAGE_URL (see above); empty means local disk."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket?endpoint_url=…, not {url!r}."
        )
    options: dict = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "file_overwrite": False,  # two uploads of "episode.mp3" must not replace each other
    }
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _S3_OPTIONS:
            raise ImproperlyConfigured(
                f"MEDIA_STORAGE_URL has an unknown option {key!r}; known: {', '.join(_S3_OPTIONS)}."
            )
        option, kind = _S3_OPTIONS[key]
        if kind is bool:
            if value.lower() not in _TRUE | _FALSE:
                raise ImproperlyConfigured(f"MEDIA_STORAGE_URL {key} must be true or false.")
            options[option] = value.lower() in _TRUE
        elif kind is int:
            if not value.isdigit():
                raise ImproperlyConfigured(f"MEDIA_STORAGE_URL {key} must be a whole number.")
            options[option] = int(value)
        else:
            options[option] = value
    return {"BACKEND": "backinshape.media_storage.MediaS3Storage", "OPTIONS": options}


MEDIA_STORAGE_URL = env_str("MEDIA_STORAGE_URL")
STORAGES = {
    "default": media_storage_from_url(MEDIA_STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: EMAIL_URL such as smtp://user:pass@host:587?tls=True; unset prints to the console.
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 20
elif DEBUG:
    # The development outbox: every email kept in the database, read at /dev/outbox/.
    EMAIL_BACKEND = "outbox.backends.OutboxEmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Or send through an email provider's API with django-anymail: ANYMAIL_ESP names the
# provider (postmark, mailgun, sendgrid, amazon_ses, brevo, … — anymail's backend module
# names) and wins over EMAIL_URL. Every other ANYMAIL_* variable becomes an ANYMAIL setting
# without the prefix: ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY,
# ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_MAILGUN_SENDER_DOMAIN, and
# ANYMAIL_WEBHOOK_SECRET ("user:password", the basic auth of the tracking webhook, which
# exists for the ANYMAIL_ESP provider only; unset, the webhook URL is a 404).
ANYMAIL_ESP = env_str("ANYMAIL_ESP").strip().lower()
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and name != "ANYMAIL_ESP"
}
if ANYMAIL_ESP:
    if not ANYMAIL_ESP.replace("_", "").isalpha():
        raise ImproperlyConfigured(f"ANYMAIL_ESP must be a provider name, not {ANYMAIL_ESP!r}.")
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
# Django's own backends give way to ours, the same but for a Message-ID in the site's
# domain, not this machine's name (common/email_backends.py).
_SITE_EMAIL_BACKENDS = {
    f"django.core.mail.backends.{kind}.EmailBackend": f"common.email_backends.{ours}"
    for kind, ours in [
        ("smtp", "SmtpEmailBackend"),
        ("console", "ConsoleEmailBackend"),
        ("filebased", "FileEmailBackend"),
    ]
}
EMAIL_BACKEND = _SITE_EMAIL_BACKENDS.get(EMAIL_BACKEND, EMAIL_BACKEND)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Back In Shape <hello@backinshape.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# /.well-known/security.txt (RFC 9116): where to report a security problem, a mailto: or
# https: URL (the sender's mailbox unless set); and the page of the disclosure policy,
# once there is one (its Policy line is left out until then).
SECURITY_CONTACT = (
    env_str("SECURITY_CONTACT").strip() or f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}"
)
if not SECURITY_CONTACT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(
        f"SECURITY_CONTACT must be a mailto: or https:// address, not {SECURITY_CONTACT!r}."
    )
SECURITY_POLICY_URL = env_str("SECURITY_POLICY_URL").strip()
if SECURITY_POLICY_URL and not SECURITY_POLICY_URL.startswith("https://"):
    raise ImproperlyConfigured(
        f"SECURITY_POLICY_URL must be an https:// address, not {SECURITY_POLICY_URL!r}."
    )

# Celery: without a broker, tasks run in-process (eagerly), as in the tests and one-off
# commands. `make run` sets CELERY_BROKER_URL=filesystem://, kombu's broker in plain files
# under CELERY_FILESYSTEM_DIR, so its worker and beat need no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_FILESYSTEM_DIR = Path(env_str("CELERY_FILESYSTEM_DIR", str(BASE_DIR / "var" / "broker")))
# Beat keeps when each entry last ran here (celery's default is the working directory).
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged when it ends, not when it starts, and a task whose worker died
# (SIGKILL, out of memory) goes back to the queue instead of being dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task to another worker after this many seconds (its default
# is an hour). It must be longer than the longest task: a release chunk of
# RELEASE_CHUNK_SIZE messages, and any retry countdown (at most 240 s, episodes/tasks.py).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
if CELERY_BROKER_URL.startswith("filesystem:"):
    # One folder both ways: every process here is producer and consumer of one queue set.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
    }

# The Sunday email goes out in chunk tasks of this many recipients, shared by all workers.
RELEASE_CHUNK_SIZE = env_int("RELEASE_CHUNK_SIZE", 500)
# A delivery claimed this long ago and still not sent belongs to a dead worker: any chunk
# may take it again, and the resume sweep re-dispatches a mailing idle this long.
RELEASE_CLAIM_STALE_SECONDS = env_int("RELEASE_CLAIM_STALE_SECONDS", 90)
# How often celery beat runs the resume sweep (release_mailings_resume).
RELEASE_SWEEP_SECONDS = env_int("RELEASE_SWEEP_SECONDS", 60)

# Episodes are released every Sunday at this time in the site's time zone. The day can be
# moved (Monday is 0, as in datetime.weekday()) to try a release on a weekday in development.
RELEASE_WEEKDAY = env_int("RELEASE_WEEKDAY", 6)
if not 0 <= RELEASE_WEEKDAY <= 6:
    raise ImproperlyConfigured(
        f"RELEASE_WEEKDAY must be 0 (Monday) to 6 (Sunday), not {RELEASE_WEEKDAY}."
    )
RELEASE_TIME = env_time("RELEASE_TIME", "07:00")
# celery beat evaluates crontabs in CELERY_TIMEZONE, so the release follows DST.
CELERY_BEAT_SCHEDULE = {
    "publish-due-episodes": {
        "task": "episodes.tasks.publish_due_episodes",
        "schedule": crontab(
            # crontab counts days from Sunday = 0.
            minute=RELEASE_TIME.minute,
            hour=RELEASE_TIME.hour,
            day_of_week=(RELEASE_WEEKDAY + 1) % 7,
        ),
    },
    # Hourly; each run sends the check-in reminders now due (once each, claimed in the DB).
    "send-checkin-reminders": {
        "task": "programs.tasks.send_checkin_reminders",
        "schedule": crontab(minute=5),
    },
    # A worker writes the time into the cache: /healthz?deep=1 and /admin/status/ read it.
    "heartbeat": {
        "task": "backinshape.tasks.heartbeat",
        "schedule": float(env_int("HEARTBEAT_SECONDS", 60)),
    },
    "resume-release-mailings": {
        "task": "episodes.tasks.release_mailings_resume",
        "schedule": float(RELEASE_SWEEP_SECONDS),
    },
}
# The morning after a Program session, the check-in reminder goes out from this local time.
CHECKIN_REMINDER_TIME = env_time("CHECKIN_REMINDER_TIME", "08:00")

# Retention (the privacy notice says the same; README "Configuration"). A member's Program
# health data is deleted once their account has been quiet this many days: no live
# membership (never deleted while one runs), and no sign-in, Program activity or paid
# period in that time. A year lets someone who lapses pick up where they stopped; UK GDPR
# art. 5(1)(e) asks for no longer than needed. Comments' IP addresses serve only against
# spam and abuse, which shows within weeks: cleared this many days after posting.
PROGRAM_DATA_RETENTION_DAYS = env_int("PROGRAM_DATA_RETENTION_DAYS", 365)
COMMENT_IP_RETENTION_DAYS = env_int("COMMENT_IP_RETENTION_DAYS", 90)
for _name in ("PROGRAM_DATA_RETENTION_DAYS", "COMMENT_IP_RETENTION_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more days, not {globals()[_name]}.")
# Beat applies them once a day at this local time (backinshape.tasks.data_retention_apply).
RETENTION_TIME = env_time("RETENTION_TIME", "03:30")
CELERY_BEAT_SCHEDULE["apply-data-retention"] = {
    "task": "backinshape.tasks.data_retention_apply",
    "schedule": crontab(minute=RETENTION_TIME.minute, hour=RETENTION_TIME.hour),
}

# Comments
COMMENT_MAX_LENGTH = 3000
COMMENT_RATE_LIMIT = env_str("COMMENT_RATE_LIMIT", "5/10m")
# Per private feed address: podcast apps poll every few minutes at most; more is misuse.
PRIVATE_FEED_RATE_LIMIT = env_str("PRIVATE_FEED_RATE_LIMIT", "120/h")
SUBSCRIBE_RATE_LIMIT = env_str("SUBSCRIBE_RATE_LIMIT", "5/h")
RATELIMIT_USE_CACHE = "default"
# django-ratelimit's checks know cache backends by their dotted path only.
# W001, "not officially supported": it lists django-redis, not Django's own Redis backend,
# which ours (common.redis_cache) extends; its incr is Redis INCR, atomic and shared by
# every process. With no REDIS_URL the cache is local memory (the tests, a single-process
# site), which E003 rejects as not shared: each process then counts its own requests; or
# files (CACHE_DIR, make run), which E003 rejects as not atomic: a count may come out a
# little low when two requests land at once. Several web processes need REDIS_URL, and
# backinshape.E001 says so.
if CACHES["default"]["BACKEND"] != "common.redis_cache.RedisCache":
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# The visitor's address, for every rate limit and every address we store: with N proxies
# of ours in front, the N-th entry from the right of CLIENT_IP_HEADER; 0 ignores the
# header (anyone can write it). The rule and its source: common/client_ip.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER").strip() or "X-Forwarded-For"
if "RATELIMIT_IP_META_KEY" in os.environ:
    raise ImproperlyConfigured(
        "RATELIMIT_IP_META_KEY is no longer read: behind a proxy, set TRUSTED_PROXY_COUNT "
        "(see the README, 'Behind a proxy') and remove RATELIMIT_IP_META_KEY."
    )
RATELIMIT_IP_META_KEY = "common.client_ip.client_ip_key"  # django-ratelimit's key="ip"
# allauth reads its client address through our adapter (members/adapter.py); its own
# settings say the same, for any part of allauth that reads them directly.
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = (
    None if CLIENT_IP_HEADER.lower() == "x-forwarded-for" else CLIENT_IP_HEADER
)
# The admin sign-in counts failures only, per email address and per visitor address.
ADMIN_LOGIN_RATE_LIMIT_PER_EMAIL = env_str("ADMIN_LOGIN_RATE_LIMIT_PER_EMAIL", "5/5m")
ADMIN_LOGIN_RATE_LIMIT_PER_IP = env_str("ADMIN_LOGIN_RATE_LIMIT_PER_IP", "20/5m")

# Stripe (official SDK, our own thin integration: see members/stripe_client.py).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
STRIPE_API_VERSION = "2026-10-28.endive"
MEMBERSHIP_GRACE_DAYS = env_int("MEMBERSHIP_GRACE_DAYS", 7)

# Episode audio linked from another host (an episode's "audio URL" rather than an upload)
# plays only from these origins, e.g. https://audio.example.org: the CSP names each one
# rather than allowing any https: address, so a page loads nothing from a host nobody chose.
# The player loads nothing until the listener presses play (preload="none").
LINKED_AUDIO_ORIGINS = env_list("LINKED_AUDIO_ORIGINS")
for _origin in LINKED_AUDIO_ORIGINS:
    _parts = urlsplit(_origin)
    if _parts.scheme != "https" or not _parts.netloc or _parts.path not in ("", "/"):
        raise ImproperlyConfigured(
            f"LINKED_AUDIO_ORIGINS holds origins like https://audio.example.org, not {_origin!r}."
        )
LINKED_AUDIO_ORIGINS = [origin.rstrip("/") for origin in LINKED_AUDIO_ORIGINS]

# Content Security Policy: no inline scripts or styles anywhere, and nothing loaded from
# another origin except the media storage, linked audio and the YouTube player after a
# click (the privacy notice's cookie statement says so; tests/pages/test_third_parties.py).
_form_action = [SELF, "https://checkout.stripe.com", "https://billing.stripe.com"]
if STRIPE_API_BASE:
    _parts = urlsplit(STRIPE_API_BASE)
    _form_action.append(f"{_parts.scheme}://{_parts.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, *LINKED_AUDIO_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "frame-ancestors": [NONE],
        "form-action": _form_action,
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Covers and audio in object storage are loaded from the bucket's own origin.
if MEDIA_STORAGE_URL:
    _media_options = STORAGES["default"]["OPTIONS"]
    if _media_options.get("custom_domain"):
        _media_origin = f"https://{_media_options['custom_domain'].split('/')[0]}"
    elif _media_options.get("endpoint_url"):
        _endpoint = urlsplit(_media_options["endpoint_url"])
        _media_origin = f"{_endpoint.scheme}://{_endpoint.netloc}"
    else:  # AWS itself, virtual-hosted style
        _media_origin = f"https://{_media_options['bucket_name']}.s3.amazonaws.com"
    for _directive in ("img-src", "media-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(_media_origin)

# Security: production defaults; DJANGO_DEBUG=true relaxes what needs HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Sessions are written to the database and read from the cache (Redis in production):
# one query less on every signed-in page, and nothing lost if the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (django-permissions-policy): every powerful feature off, except what
# the click-to-play YouTube player asks for, and only for that player's origin, and
# passkeys for our own pages.
_YOUTUBE = "https://www.youtube-nocookie.com"
_FEATURES_OFF = [
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "hid",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
_FEATURES_FOR_PLAYER = [
    "accelerometer",
    "autoplay",
    "encrypted-media",
    "fullscreen",
    "gyroscope",
    "picture-in-picture",
]
# Passkeys and security keys (two-step sign-in) on our own pages only.
_FEATURES_FOR_US = ["publickey-credentials-create", "publickey-credentials-get"]
PERMISSIONS_POLICY = {
    **{feature: [] for feature in _FEATURES_OFF},
    **{feature: [_YOUTUBE] for feature in _FEATURES_FOR_PLAYER},
    **{feature: ["self"] for feature in _FEATURES_FOR_US},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Logs: one JSON object per line in production (web, worker and beat alike: celery.py hands
# Celery this same LOGGING), plain lines with DEBUG on. Every line carries a request id
# (backinshape/logging.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "backinshape.logging.RequestIdFilter"},
        # Private feed, unsubscribe and confirm links are secrets: never written to a log
        # in full (common/log_redaction.py). Both formatters redact their whole line too.
        "redact_secret_links": {"()": "common.log_redaction.RedactSecretLinks"},
    },
    "formatters": {
        "plain": {
            "()": "common.log_redaction.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "backinshape.logging.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact_secret_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR", "filters": ["redact_secret_links"]},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_secret_links"],
        },
    },
}

# Errors to Sentry when SENTRY_DSN is set: no personal data, private tokens blanked.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from backinshape.logging import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=sentry_before_send,
        traces_sample_rate=0.0,
    )

WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
