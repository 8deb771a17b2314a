"""Smart Invoice settings: one file, every deployment difference read from the environment.

With no environment at all (and DEBUG=1) it runs on SQLite, a local-memory cache and the
django-q ORM broker. `.env.example` documents every variable read here.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str

# Lets generic classes (QuerySet[Model], ModelAdmin[Model]) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

_render_host = env_str("RENDER_EXTERNAL_HOSTNAME")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if _render_host:
    ALLOWED_HOSTS.append(_render_host)
    CSRF_TRUSTED_ORIGINS.append(f"https://{_render_host}")

SITE_ID = 1
SITE_NAME = env_str("SITE_NAME", "Smart Invoice")
# The public address, for links in emails and OAuth redirect URIs.
SITE_URL = env_str("SITE_URL", f"https://{_render_host}" if _render_host else "http://127.0.0.1:8000").rstrip("/")

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
    "django_q",
    "csp",
    "core",
    "invoices",
    "integrations",
    "integrations.ponto",
    "integrations.yuki",
    "banking",
    "dashboards",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "api",
    "webhooks",
    "backups",
    "payments",
    "messaging",
]
# The provider simulators (`manage.py sandbox`) live in the repository, not in the production image.
if importlib.util.find_spec("sandboxes") is not None:
    INSTALLED_APPS.append("sandboxes")

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Health checks answer before host validation and SSL redirects: load balancers probe
    # the instance directly, over plain HTTP and with an internal Host header.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.CurrentOrganizationMiddleware",
    "core.middleware.RequestSizeMiddleware",
]
# A form's fields (Django's own limit, 2.5 MB) and a whole upload with its files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "csp.context_processors.nonce",
                "core.context_processors.organization",
                "integrations.banners.connection_banners",
            ],
            # {% url %} with its argument-less URLs reversed once per process (core.links).
            "builtins": ["core.templatetags.links"],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (web and worker) share the file; wait for a lock rather than fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the dashboards' larger aggregates for longer than they run
    # (about 1 s of a 1.3 s query at a million transactions): our queries are short, so off.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, queue ---------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "si")
if REDIS_URL:
    # core.cache fails open while Redis is unreachable (reads miss, writes are dropped, one
    # logged warning): pages keep working, slower, and /readiness/ answers 503.
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": env_float("REDIS_CONNECT_TIMEOUT", 1.0),
                "SOCKET_TIMEOUT": env_float("REDIS_TIMEOUT", 1.0),
            },
        }
    }
elif DEBUG:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    # Without Redis in production the cache must still be shared by every process, or
    # rate limits would count per worker: use the database (`createcachetable`).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_entries",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

Q_CLUSTER: dict[str, Any] = {
    "name": "smart-invoice",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 600),
    # retry must exceed timeout, or a slow task is handed to a second worker while running.
    "retry": env_int("Q_TIMEOUT", 600) + 120,
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 3),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Background jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    # Queuing a task while Redis is down keeps it in the database until Redis is back.
    Q_CLUSTER["broker_class"] = "core.queue.DeferringRedisBroker"
else:
    Q_CLUSTER["orm"] = "default"

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_ALLOW_SIGNUP = env_bool("ACCOUNT_ALLOW_SIGNUP", default=True)
ACCOUNT_SIGNUP_FORM_CLASS = "core.forms.SignupForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # Django still ends the user's other sessions.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_ADAPTER = "core.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Sessions end after this many seconds without a request (core.middleware enforces it and
# renews the session at most once a minute); the stored session outlives it by that margin.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT + 120
# Sessions are read from the cache and written through to the database: a page costs no
# session query, and a cache flush or a Redis outage signs nobody out (the cache fails open).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers ---------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

_csp_directives: dict[str, Any] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    "img-src": [SELF, "data:"],  # allauth draws the TOTP QR code as a data: image
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
if SECURE_SSL_REDIRECT:
    _csp_directives["upgrade-insecure-requests"] = True
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}

# --- Encryption at rest -------------------------------------------------------------------
# Comma-separated Fernet keys: the first encrypts, all decrypt (see rotate_encryption_keys).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off. Generate a key with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"fernet:{SECRET_KEY}".encode()).digest()).decode()
    ]

# --- Rate limits for our own endpoints (allauth limits its own) ---------------------------
# "count/period" with period s, m, h or d; override any group with RATE_LIMITS="group=10/m,…".
RATE_LIMITS = {
    "default": "60/m",
    "switch_organization": "30/m",
    "membership": "30/m",
    "sync": "6/m",
    "webhook": "120/m",
}
for _item in env_list("RATE_LIMITS"):
    _group, _, _rate = _item.partition("=")
    RATE_LIMITS[_group.strip()] = _rate.strip()

# --- Providers ----------------------------------------------------------------------------
# Without configuration the connectors talk to the built-in sandboxes (`manage.py sandbox`).
SANDBOX_URL = env_str("SANDBOX_URL", "http://127.0.0.1:8001").rstrip("/")
PONTO_API_URL = env_str("PONTO_API_URL", f"{SANDBOX_URL}/ponto-connect").rstrip("/")
PONTO_AUTH_URL = env_str("PONTO_AUTH_URL", f"{PONTO_API_URL}/oauth2/auth")
PONTO_TOKEN_URL = env_str("PONTO_TOKEN_URL", f"{PONTO_API_URL}/oauth2/token")
PONTO_REVOKE_URL = env_str("PONTO_REVOKE_URL", f"{PONTO_API_URL}/oauth2/revoke")
PONTO_WEBHOOK_KEYS_URL = env_str("PONTO_WEBHOOK_KEYS_URL", f"{SANDBOX_URL}/webhooks/keys")
PONTO_CLIENT_ID = env_str("PONTO_CLIENT_ID", "sandbox-client" if DEBUG else "")
PONTO_CLIENT_SECRET = env_str("PONTO_CLIENT_SECRET", "sandbox-secret" if DEBUG else "")
PONTO_REDIRECT_URI = env_str("PONTO_REDIRECT_URI", f"{SITE_URL}/connections/ponto/callback/")
PONTO_SCOPE = env_str("PONTO_SCOPE", "ai offline_access name")
# Ponto Connect requires an mTLS client certificate on API calls: paths to the PEM files.
PONTO_CERTIFICATE = env_str("PONTO_CERTIFICATE")
PONTO_CERTIFICATE_KEY = env_str("PONTO_CERTIFICATE_KEY")
PONTO_TIMEOUT_SECONDS = env_float("PONTO_TIMEOUT_SECONDS", 20.0)
# Yuki: region hosts, and calls per day (1,000 per domain, shared with other integrations).
YUKI_API_URLS = {
    "BE": env_str("YUKI_API_URL_BE", f"{SANDBOX_URL}/yuki/be" if DEBUG else "https://api.yukiworks.be"),
    "NL": env_str("YUKI_API_URL_NL", f"{SANDBOX_URL}/yuki/nl" if DEBUG else "https://api.yukiworks.nl"),
}
YUKI_DOMAIN_DAILY_LIMIT = env_int("YUKI_DOMAIN_DAILY_LIMIT", 1000)
YUKI_DAILY_CALL_BUDGET = env_int("YUKI_DAILY_CALL_BUDGET", 100)
YUKI_TIMEOUT_SECONDS = env_float("YUKI_TIMEOUT_SECONDS", 60.0)
# Our VAT rates as Yuki VAT types per administration country ("rate=type,..."); each pair must be a
# VAT code of the administration. A rate without a pair is not booked in Yuki (the invoice says why).
# 21=1 and 6=2 follow Yuki's own example; 12 and 0 differ per administration (check its VAT codes).
YUKI_VAT_TYPES = {
    country: {rate.strip(): int(vat_type) for rate, _, vat_type in (item.partition("=") for item in pairs)}
    for country, pairs in (
        ("BE", env_list("YUKI_VAT_TYPES_BE", ["21=1", "12=21", "6=2", "0=3"])),
        ("NL", env_list("YUKI_VAT_TYPES_NL", ["21=1", "9=2", "0=3"])),
    )
}

# The e-invoice.be Peppol access point (reference peppol.md §3): its API and our key there, the secret
# it signs status webhooks with (returned when the webhook is registered), and how long a Peppol
# participant lookup is trusted.
EINVOICE_API_URL = env_str("EINVOICE_API_URL", f"{SANDBOX_URL}/einvoice" if DEBUG else "https://api.e-invoice.be")
EINVOICE_API_KEY = env_str("EINVOICE_API_KEY", "sandbox-einvoice-api-key" if DEBUG else "")
EINVOICE_WEBHOOK_SECRET = env_str("EINVOICE_WEBHOOK_SECRET", "sandbox-einvoice-webhook-secret" if DEBUG else "")
EINVOICE_TIMEOUT_SECONDS = env_float("EINVOICE_TIMEOUT_SECONDS", 30.0)
EINVOICE_LOOKUP_CACHE_SECONDS = env_int("EINVOICE_LOOKUP_CACHE_SECONDS", 24 * 3600)

# Retries of transient faults: attempts per call, first backoff, and the cap on one call's time.
PROVIDER_RETRY_ATTEMPTS = env_int("PROVIDER_RETRY_ATTEMPTS", 5)
PROVIDER_RETRY_BASE_DELAY = env_float("PROVIDER_RETRY_BASE_DELAY", 0.5)
PROVIDER_RETRY_TOTAL_CAP = env_float("PROVIDER_RETRY_TOTAL_CAP", 120.0)
PONTO_OVERLAP_DAYS = env_int("PONTO_OVERLAP_DAYS", 14)
PONTO_REQUEST_SYNCHRONIZATION = env_bool("PONTO_REQUEST_SYNCHRONIZATION", default=True)
PONTO_CUSTOMER_IP_ADDRESS = env_str("PONTO_CUSTOMER_IP_ADDRESS", "127.0.0.1")

# Dashboards: how long an aggregation stays cached (a write changes its key sooner), and up to
# how many transactions a rule change is applied to all history within the request.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300)
# After every data-version bump, queue the overview's expensive parts (dashboards.tasks).
DASHBOARD_PRECOMPUTE = env_bool("DASHBOARD_PRECOMPUTE", True)
DASHBOARD_INLINE_RECATEGORIZE_ROWS = env_int("DASHBOARD_INLINE_RECATEGORIZE_ROWS", 50_000)

# Consent forms post to us and are redirected to the provider: the browser checks form-action
# on that redirect too, so the provider's authorisation origin must be allowed.
_auth_origin = "{0.scheme}://{0.netloc}".format(urlsplit(PONTO_AUTH_URL))
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [SELF, _auth_origin]

# --- Invoices -----------------------------------------------------------------------------
# What the payment QR code's structured remittance field holds: the structured reference as
# printed (+++000/0202/60064+++, as Odoo does) or its twelve digits alone (invoices/epc.py).
EPC_QR_REFERENCE = env_str("EPC_QR_REFERENCE", "formatted")
if EPC_QR_REFERENCE not in ("formatted", "digits"):
    raise ImproperlyConfigured(f"EPC_QR_REFERENCE must be formatted or digits, got {EPC_QR_REFERENCE!r}")

# --- Email --------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Smart Invoice <noreply@smartinvoice.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_sendgrid_key = env_str("SENDGRID_API_KEY")
if _sendgrid_key:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS = "smtp.sendgrid.net", 587, True
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = "apikey", _sendgrid_key
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = 20

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
# The user's choice (stored on their account), else the browser's Accept-Language, else English.
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Money and dates as Benelux readers write them (config/formats), used through core.formatting.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "core.staticfiles.ManifestStaticFilesStorage"
    },
}

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "request_path": {"()": "core.logging.RequestPathFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "request_path"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_q": {"level": env_str("Q_LOG_LEVEL", "INFO"), "propagate": True},
    },
}

# --- Public API (/api/v1/) ----------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "api.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.OrganizationRole"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPage",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyRateThrottle"],
    # Requests per API key (or signed-in user) and period: s, m, h or d.
    "DEFAULT_THROTTLE_RATES": {"api": env_str("API_RATE_LIMIT", "600/m")},
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Smart Invoice API",
    "DESCRIPTION": (
        "Clients, invoices, payments, credit and delivery notes, bank data, reconciliation, "
        "connections and cash-flow figures of one organisation. Authenticate with an API key "
        "(`Authorization: Bearer sik_…`) created by an admin under Settings → API keys."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`: each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "TransactionStatusEnum": "banking.models.accounts.TransactionStatus",
        "MatchStatusEnum": "banking.models.reconciliation.MatchStatus",
        "ConnectionStatusEnum": "integrations.models.connections.ConnectionStatus",
        "InvoiceStatusEnum": "invoices.models.invoices.InvoiceStatus",
    },
    "AUTHENTICATION_WHITELIST": ["api.authentication.ApiKeyAuthentication"],
}

# --- Error reporting ----------------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    from core.logging import scrub_sentry_breadcrumb, scrub_sentry_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        before_send=scrub_sentry_event,
        before_breadcrumb=scrub_sentry_breadcrumb,
        send_default_pii=False,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=env_str("RENDER_GIT_COMMIT") or None,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )

# --- Outgoing webhooks ----------------------------------------------------------------------
# Private, loopback and link-local receivers (and plain http) only where they are ours: in
# development and tests. In production the SSRF guard refuses them.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# --- Backups ------------------------------------------------------------------------------
# `manage.py backup` / `restore` (docs/backups.md). Fernet keys, comma-separated: the first
# encrypts, all decrypt. Under DEBUG without keys one is derived from SECRET_KEY; in production
# the backup command refuses to run without them (the web service does not need them).
BACKUP_ENCRYPTION_KEYS = env_list("BACKUP_ENCRYPTION_KEY")
if not BACKUP_ENCRYPTION_KEYS and DEBUG:
    BACKUP_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"backup-fernet:{SECRET_KEY}".encode()).digest()).decode()
    ]
# Where backups are written: an S3-compatible bucket (AWS S3, Cloudflare R2, Backblaze B2, MinIO,
# Scaleway...) when BACKUP_S3_BUCKET is set, else a folder, by default one in the checkout under
# DEBUG. In production without either there is no `backups` storage and the backup command says so.
BACKUP_DIR = env_str("BACKUP_DIR", str(BASE_DIR / "backups-data") if DEBUG else "")
BACKUP_S3_BUCKET = env_str("BACKUP_S3_BUCKET")
_backup_s3_encryption = env_str("BACKUP_S3_SERVER_SIDE_ENCRYPTION")
if BACKUP_S3_BUCKET:
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BACKUP_S3_BUCKET,
            "endpoint_url": env_str("BACKUP_S3_ENDPOINT_URL") or None,
            "region_name": env_str("BACKUP_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance role), never the AWS_*
            # Django settings another storage may use.
            "access_key": env_str("BACKUP_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("BACKUP_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("BACKUP_S3_PREFIX").strip("/"),
            # No ACL header: objects stay private to the bucket owner, and buckets with ACLs
            # disabled (AWS's default) refuse any ACL but bucket-owner-full-control. Any URL is
            # signed; a backup is never overwritten.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # A restore's download spills to a temporary file past 4 MiB instead of memory.
            "max_memory_size": 4 * 1024 * 1024,
            "object_parameters": {"ServerSideEncryption": _backup_s3_encryption} if _backup_s3_encryption else {},
        },
    }
elif BACKUP_DIR:
    STORAGES["backups"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BACKUP_DIR, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
# Retention after each new backup: the newest BACKUP_KEEP_DAILY, plus the newest of each of the
# last BACKUP_KEEP_WEEKLY weeks that have one.
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4)
# The daily schedule (backups.tasks) runs a backup only when this is on.
BACKUP_SCHEDULE = env_bool("BACKUP_SCHEDULE", default=not DEBUG)

# --- Online payment (payments/) -------------------------------------------------------------
# Each organisation pastes its own provider key on /settings/online-payment/; these say where
# the providers are (the sandboxes under DEBUG) and how long to wait for them.
MOLLIE_API_URL = env_str("MOLLIE_API_URL", f"{SANDBOX_URL}/mollie" if DEBUG else "https://api.mollie.com").rstrip("/")
PAYSTACK_API_URL = env_str(
    "PAYSTACK_API_URL", f"{SANDBOX_URL}/paystack" if DEBUG else "https://api.paystack.co"
).rstrip("/")
PAYMENT_CONNECT_TIMEOUT_SECONDS = env_float("PAYMENT_CONNECT_TIMEOUT_SECONDS", 5.0)
PAYMENT_TIMEOUT_SECONDS = env_float("PAYMENT_TIMEOUT_SECONDS", 15.0)
# The currencies Paystack charges in (its docs: no EUR); invoices in others cannot use it.
PAYSTACK_CURRENCIES = env_list("PAYSTACK_CURRENCIES", ["NGN", "GHS", "ZAR", "KES", "USD", "XOF", "EGP", "RWF"])
# The demo organisation's Mollie key (seed_demo): the Mollie sandbox's test key under DEBUG.
MOLLIE_DEMO_API_KEY = env_str("MOLLIE_DEMO_API_KEY", "test_sandboxmollieapikey0000000000" if DEBUG else "")
# Public invoice pages (/pay/<token>/): per client address.
RATE_LIMITS.setdefault("public_invoice", "30/m")
# "Pay online" posts to us and is redirected to the provider's hosted checkout; browsers check
# form-action on that redirect too, so the checkouts' origins must be allowed (Mollie's checkout is
# on www.mollie.com, Paystack's authorization_url on checkout.paystack.com; under DEBUG the sandboxes).
PAYMENT_CHECKOUT_ORIGINS = env_list(
    "PAYMENT_CHECKOUT_ORIGINS",
    sorted({"{0.scheme}://{0.netloc}".format(urlsplit(url)) for url in (MOLLIE_API_URL, PAYSTACK_API_URL)})
    if DEBUG
    else ["https://www.mollie.com", "https://checkout.paystack.com"],
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
    *CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
    *(
        origin
        for origin in dict.fromkeys(PAYMENT_CHECKOUT_ORIGINS)
        if origin not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    ),
]

# --- WhatsApp (Twilio) and PDF links (Cloudinary) (messaging/) -------------------------------
# docs/whatsapp.md. Without configuration under DEBUG, Twilio is the built-in sandbox (these literal
# credentials are the sandbox's, never valid at Twilio). TWILIO_API_URL replaces https://api.twilio.com.
TWILIO_API_URL = env_str("TWILIO_API_URL", f"{SANDBOX_URL}/twilio" if DEBUG else "https://api.twilio.com").rstrip("/")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "AC5a1d0b0c5e7f4a3b9c8d7e6f5a4b3c2d" if DEBUG else "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "9f8e7d6c5b4a39281706f5e4d3c2b1a0" if DEBUG else "")
# The approved WhatsApp sender, E.164 (with or without "whatsapp:").
TWILIO_WHATSAPP_FROM = env_str("TWILIO_WHATSAPP_FROM", "+32460200000" if DEBUG else "")
# The approved content templates (ContentSid "HX…") for invoices and reminders.
TWILIO_CONTENT_SID_INVOICE = env_str(
    "TWILIO_CONTENT_SID_INVOICE", "HXa1b2c3d4e5f60718293a4b5c6d7e8f90" if DEBUG else ""
)
TWILIO_CONTENT_SID_REMINDER = env_str(
    "TWILIO_CONTENT_SID_REMINDER", "HXb2c3d4e5f60718293a4b5c6d7e8f90a1" if DEBUG else ""
)
TWILIO_TIMEOUT_SECONDS = env_float("TWILIO_TIMEOUT_SECONDS", 15.0)
# Hand-overs to Twilio that time out or meet a 5xx are tried again every five minutes, this often.
TWILIO_MAX_ATTEMPTS = env_int("TWILIO_MAX_ATTEMPTS", 30)
# How long a PDF link (in a WhatsApp message) works. Default: 7 days.
PDF_LINK_TTL_SECONDS = env_int("PDF_LINK_TTL_SECONDS", 7 * 24 * 3600)
# Cloudinary for the PDFs behind links: CLOUDINARY_URL (cloudinary://API_KEY:API_SECRET@CLOUD_NAME)
# or the three parts. Without it, the service serves the PDF itself at a signed, expiring link.
# Under DEBUG without either, the Cloudinary sandbox (its literal credentials), whose download links
# the Twilio sandbox's templates point at.
_cloudinary = urlsplit(env_str("CLOUDINARY_URL"))
_cloudinary_sandbox = DEBUG and not env_str("CLOUDINARY_URL") and not env_str("CLOUDINARY_CLOUD_NAME")
CLOUDINARY_CLOUD_NAME = env_str(
    "CLOUDINARY_CLOUD_NAME", "smart-invoice-sandbox" if _cloudinary_sandbox else _cloudinary.hostname or ""
)
CLOUDINARY_API_KEY = env_str(
    "CLOUDINARY_API_KEY", "614335564976464" if _cloudinary_sandbox else _cloudinary.username or ""
)
CLOUDINARY_API_SECRET = env_str(
    "CLOUDINARY_API_SECRET", "sandbox-cloudinary-api-secret" if _cloudinary_sandbox else _cloudinary.password or ""
)
CLOUDINARY_API_URL = env_str(
    "CLOUDINARY_API_URL", f"{SANDBOX_URL}/cloudinary" if _cloudinary_sandbox else "https://api.cloudinary.com"
).rstrip("/")
CLOUDINARY_TIMEOUT_SECONDS = env_int("CLOUDINARY_TIMEOUT_SECONDS", 30)
# The fixed start of the templates' media URL, as approved (WhatsApp wants it fixed up to the
# domain); the PDF link's rest is variable {{5}}. Empty (the default): CLOUDINARY_API_URL + "/v1_1/"
# with Cloudinary set up, else SITE_URL + "/".
TWILIO_MEDIA_URL_PREFIX = env_str("TWILIO_MEDIA_URL_PREFIX")
# Our own PDF links, per address. Twilio fetches every message's PDF from a few addresses of its
# own: a reminder run of a few hundred messages must fit, or the fetches answered 429 fail them.
RATE_LIMITS.setdefault("pdf_link", "600/m")
