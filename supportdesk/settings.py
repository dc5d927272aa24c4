"""SupportDesk settings, all from the environment.

With nothing set, you get the embedded default a newcomer needs: a SQLite file, a Celery broker on the
filesystem and a file cache, all under ./var. Production sets DATABASE_URL, CELERY_BROKER_URL, REDIS_URL,
SECRET_KEY and ALLOWED_HOSTS (see docker-compose.yml); DEBUG is off unless asked for, and a production
secret has no default.
"""

import email.utils
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Only a development machine may run on a known key.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-secret-key-not-for-production" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "tenants",
    "sla",
    "tickets",
    "dashboards",
    "knowledge",
    "mailin",
    "statuspage",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tenants.middleware.AdminMFARequiredMiddleware",
    "tenants.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
WSGI_APPLICATION = "supportdesk.wsgi.application"

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
                "tenants.context_processors.navigation",
                "statuspage.context_processors.status_banner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'supportdesk.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, worker and beat share one file: wait for a lock rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenants.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by every process on the machine, so login rate limits hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: email is the login; nobody signs up on their own (contacts are invited).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# One address per person; a new address replaces it only once confirmed from a link sent to it, so nobody
# takes an address they do not own (tenants.views.EmailChangeView closes allauth's other ways).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_ADAPTER = "tenants.adapters.InviteOnlyAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SupportDesk"
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# HTTPS: on by default outside DEBUG. Tests and local runs over plain http set HTTPS=0.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind our reverse proxy (docker-compose.yml's nginx), its X-Forwarded-Proto says whether the visitor used
# HTTPS and the last X-Forwarded-For entry is the visitor's address. Without it, anybody could send those.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0  # login rate limits count per visitor, not per proxy
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): our own files only, nothing inline. Templates carry no <script> body,
# <style>, style="" or on*= (tests/test_content_security_policy.py scans them); allauth's TOTP QR code is a
# data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP send may take; well under the outbox's lease (lib/outbox.py SENDING_LEASE).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SupportDesk <support@supportdesk.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The email channel (mailin/, docs/decisions.md "Email channel"). Customers write to SUPPORT_EMAIL_ADDRESS;
# our emails carry it as Reply-To. Mail comes in from an IMAP mailbox (polled by beat every MAILIN_POLL_EVERY
# seconds), an anymail inbound webhook, `manage.py ingest_email`, and on the embedded default (no IMAP host)
# a drop folder of .eml files under var/.
SUPPORT_EMAIL_ADDRESS = env_str("SUPPORT_EMAIL_ADDRESS", email.utils.parseaddr(DEFAULT_FROM_EMAIL)[1])
# Where a customer who cannot file cases (Free tier, contract ended) is sent to upgrade or renew (a mailto).
SALES_CONTACT_EMAIL = env_str("SALES_CONTACT_EMAIL", "sales@" + SUPPORT_EMAIL_ADDRESS.rpartition("@")[2])
MAILIN_IMAP_HOST = env_str("MAILIN_IMAP_HOST", "")
MAILIN_IMAP_PORT = env_int("MAILIN_IMAP_PORT", 993)
MAILIN_IMAP_SSL = env_bool("MAILIN_IMAP_SSL", True)
MAILIN_IMAP_USER = env_str("MAILIN_IMAP_USER", "")
MAILIN_IMAP_PASSWORD = env_str("MAILIN_IMAP_PASSWORD", "" if not MAILIN_IMAP_HOST else None)
MAILIN_IMAP_FOLDER = env_str("MAILIN_IMAP_FOLDER", "INBOX")
# Empty: a message is flagged \Seen once its case is committed; else it is moved to this folder.
MAILIN_IMAP_PROCESSED_FOLDER = env_str("MAILIN_IMAP_PROCESSED_FOLDER", "")
MAILIN_POLL_EVERY = env_int("MAILIN_POLL_EVERY", 30)
MAILIN_DROP_FOLDER = env_str(
    "MAILIN_DROP_FOLDER", "" if MAILIN_IMAP_HOST else str(VAR_DIR / "mail" / "inbox")
)
# Only Authentication-Results headers added by our own receiving host (its authserv-id) are believed.
MAILIN_AUTHSERV_ID = env_str("MAILIN_AUTHSERV_ID", "")
# A burst from one sender: past this many messages an hour, the rest are refused (without an answer).
MAILIN_RATE_LIMIT_PER_HOUR = env_int("MAILIN_RATE_LIMIT_PER_HOUR", 30)
# The inbound webhook (anymail): its basic-auth "user:password"; the webhook answers 404 while it is unset.
MAILIN_WEBHOOK_SECRET = env_str("MAILIN_WEBHOOK_SECRET", "")
ANYMAIL = {
    "WEBHOOK_SECRET": MAILIN_WEBHOOK_SECRET,
    "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("MAILGUN_WEBHOOK_SIGNING_KEY", ""),
}

# Celery. The embedded default is a broker on the filesystem: no server to install.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # The exchange table too, or kombu writes it to ./control wherever the process starts.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A task is acknowledged before it runs, unless it says otherwise: only tasks safe to run twice declare
# acks_late=True (all of tickets/tasks.py), so a worker that dies mid-task leaves them queued.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every task has time limits (a task may set shorter ones): the soft one raises inside the task, the hard
# one ends its worker process. Above a full outbox batch at the SMTP timeout (lib/outbox.py).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
# Seconds between two passes of the SLA sweep (tickets/sweeps.py) that beat queues; tests shorten it.
SLA_SWEEP_EVERY = env_int("SLA_SWEEP_EVERY", 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an API client without credentials gets 401 with WWW-Authenticate: Token.
        "tenants.authentication.TokenAuthentication",  # never for the admin role
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "supportdesk.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "lib.parsers.JSONParser",  # a 400, not a 500, for JSON nested too deeply
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SupportDesk API",
    "DESCRIPTION": "Cases, SLA previews and the customer portal, scoped to the signed-in user.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per vocabulary: cases and incidents both have a `status`, replies a kind under two names.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tickets.models.Status",
        "ResponseKindEnum": "tickets.models.ResponseKind",
        "IncidentStatusEnum": "statuspage.models.IncidentStatus",
        "ComponentStateEnum": "statuspage.models.ComponentState",
        "ArticleStatusEnum": "knowledge.models.ArticleStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Absolute links in emails (invitations, case notifications) start with this.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Case attachments: logs, support packages, screenshots. Stored under generated names, served only through
# a view that checks who may see the case.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 25) * 1024 * 1024
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS",
    "log,txt,json,xml,csv,har,pcap,pcapng,evtx,zip,gz,tgz,tar,7z,png,jpg,jpeg,gif,webp,pdf,docx,xlsx,md,yaml,yml",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files stream to disk past 2.5 MB

# Invitations a portal admin may send per hour (they send email to any address typed in).
INVITATIONS_PER_HOUR = env_int("INVITATIONS_PER_HOUR", 20)
