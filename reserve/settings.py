"""Réserve settings: one file, every value from the environment.

With nothing set, the site runs on the embedded default (SQLite, Celery eager,
e-mail on the console, local-memory cache) so that `make run` works on a fresh
machine. Production and CI set DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY…
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present (developers); production sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The development key is only ever accepted with DEBUG on (see the check below).
_DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    # Our own apps first so that their templates override allauth's.
    "reserve",
    "volunteers",
    "projects",
    "missions",
    "lightsoff",
    # SimpleAdminConfig: no autodiscovery. django-leaflet's leaflet/admin.py imports
    # GeoDjango, which needs GDAL (makinacorpus/django-leaflet#299); reserve.apps
    # autodiscovers the admin modules of the apps we choose instead.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "leaflet",
    "csp",
    "anymail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body (CsrfViewMiddleware would spool an upload to disk).
    "reserve.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "volunteers.middleware.SecondFactorRequiredMiddleware",
    "volunteers.middleware.PrivacyConsentMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "reserve.urls"
WSGI_APPLICATION = "reserve.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reserve.context_processors.site",
                "volunteers.context_processors.profile_hint",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="reserve"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
# Without Redis, tasks run in-process (eager): the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged once done, and given back to the queue if its worker dies:
# the tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down at enqueue time: the database rows are the outbox
# and the beat sweep re-enqueues, so a web request must not hang on Redis.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "missions-sweep-alerts": {
        "task": "missions.tasks.sweep_alerts",
        "schedule": 60.0,
    },
    "missions-advance-waves": {
        "task": "missions.tasks.advance_waves",
        "schedule": 60.0,
    },
    "volunteers-archive-inactive": {
        "task": "volunteers.tasks.archive_inactive_accounts",
        "schedule": crontab(hour=3, minute=30),
    },
    # LightsOff: each volunteer's new "do it for me" tasks in their area, once a day.
    "lightsoff-task-digests": {
        "task": "lightsoff.tasks.send_task_digests",
        "schedule": crontab(hour=17, minute=30),
    },
    "projects-remind-pending-applications": {
        "task": "projects.remind_pending_applications",
        "schedule": crontab(hour=9, minute=0),
    },
    "projects-ask-members-to-continue": {
        "task": "projects.ask_members_to_continue",
        "schedule": crontab(hour=9, minute=15),
    },
    "projects-daily-digests": {
        "task": "projects.send_saved_search_digests",
        "schedule": crontab(hour=8, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    # LightsOff: messages to shops held by the quiet hours, the four-week follow-up.
    "lightsoff-send-due-shop-messages": {
        "task": "lightsoff.tasks.send_due_shop_messages",
        "schedule": 300.0,
    },
    "lightsoff-follow-ups": {
        "task": "lightsoff.tasks.send_follow_ups",
        "schedule": crontab(hour=10, minute=0),
    },
    "projects-weekly-digests": {
        "task": "projects.send_saved_search_digests",
        "schedule": crontab(hour=8, minute=0, day_of_week="monday"),
        "kwargs": {"frequency": "weekly"},
    },
}

# --- E-mail and SMS -----------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Réserve <no-reply@reserve.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# "console", "memory" or a dotted path to a class (see reserve/sms.py).
# A transactional e-mail provider instead of SMTP: EMAIL_PROVIDER=brevo sends through
# django-anymail's Brevo backend (its receipts and replies come back to the webhooks of
# missions/webhooks.py); empty, EMAIL_URL's SMTP server (Mailpit in the compose stack).
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
# Brevo's API, for e-mail (anymail) and SMS (reserve.sms.brevo); tests point it at a fake.
BREVO_API_KEY = env.str("BREVO_API_KEY", default="")
BREVO_API_URL = env.str("BREVO_API_URL", default="https://api.brevo.com/v3")
ANYMAIL = {
    "BREVO_API_KEY": BREVO_API_KEY,
    "BREVO_API_URL": BREVO_API_URL.rstrip("/") + "/",
    # "user:password" that the provider's webhooks send as HTTP basic auth.
    "WEBHOOK_SECRET": env.str("EMAIL_WEBHOOK_SECRET", default=""),
}
if EMAIL_PROVIDER == "brevo":
    EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
# Replies by e-mail: call-ups say Reply-To: <REPLY_LOCAL_PART>+<token>@INBOUND_EMAIL_DOMAIN,
# a domain whose mail the provider's inbound parsing posts to our webhook. Empty: no
# Reply-To (answers by the link or by SMS only).
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="")
REPLY_LOCAL_PART = env.str("REPLY_LOCAL_PART", default="reponse")

# SMS: "console" (default), "memory" (tests), "twilio", "brevo", or a dotted path.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_SENDER = env.str("SMS_SENDER", default="Reserve")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
# Where the SMS provider posts its delivery reports (our reference is added to it).
SMS_STATUS_CALLBACK_URL = env.str("SMS_STATUS_CALLBACK_URL", default="")
# The secret Brevo's SMS webhook sends (basic auth password or bearer token).
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default="")
# What one SMS segment costs, for the cost shown on each call-up's progress page.
SMS_PRICE_PER_SEGMENT = env.float("SMS_PRICE_PER_SEGMENT", default=0.045)
SMS_CURRENCY = env.str("SMS_CURRENCY", default="€")
# The generic HTTP provider (SMS_BACKEND="reserve.sms.HttpApiBackend").
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "volunteers.User"
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
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Réserve] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Sign-ups send e-mail to addresses typed by strangers: a low ceiling per visitor
# address (raise it for a sign-up event held behind one network), and one verification
# e-mail per address per hour, whoever asks. Refusals are templates/429.html.
SIGNUPS_PER_IP_PER_HOUR = env.int("SIGNUPS_PER_IP_PER_HOUR", default=10)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": f"{SIGNUPS_PER_IP_PER_HOUR}/1h/ip",
    "confirm_email": "1/1h/key",
}
# allauth's limits count the visitor behind TRUSTED_PROXIES (reserve.ratelimit.client_ip).
ACCOUNT_ADAPTER = "volunteers.adapters.AccountAdapter"
# Sign-up asks for consent to the privacy notice; then the short onboarding form.
ACCOUNT_FORMS = {"signup": "volunteers.forms.SignupForm"}
ACCOUNT_SIGNUP_REDIRECT_URL = "volunteers:onboarding"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Réserve"
# Staff must enrol a second factor before using the admin (reserve.middleware).
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=not DEBUG)

SITE_ID = 1

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "reserve.storage.StaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# No body over MAX_REQUEST_BODY_BYTES is read at all (reserve.middleware; the proxy of
# the full stack says the same): the largest legitimate one is a LightsOff report with
# its photo. Below that, uploads over 1 MB go to a temporary file rather than memory,
# form fields are held to 1 MB in all, and a request carries five files at most.
LIGHTSOFF_MAX_PHOTO_BYTES = env.int("LIGHTSOFF_MAX_PHOTO_BYTES", default=5 * 1024 * 1024)
MAX_REQUEST_BODY_BYTES = env.int(
    "MAX_REQUEST_BODY_BYTES", default=LIGHTSOFF_MAX_PHOTO_BYTES + 512 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 5

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 6,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "TILES": env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "ATTRIBUTION_PREFIX": "",
    "RESET_VIEW": False,
}

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

_map_tiles_origin = "https://*.tile.openstreetmap.org https://tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Leaflet and the Django admin set style attributes; scripts stay nonce-only.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [
            SELF,
            "data:",
            "blob:",
            *_map_tiles_origin.split(),
            *env.list("CSP_IMG_SRC", default=[]),
        ],
        "connect-src": [SELF, *env.list("CSP_CONNECT_SRC", default=[])],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Product settings -------------------------------------------------------------
# Volunteers inactive this long are warned, then archived and anonymised (RGPD).
INACTIVE_ACCOUNT_YEARS = env.int("INACTIVE_ACCOUNT_YEARS", default=3)
# Version of the privacy notice (/pages/privacy/): raise it when the notice changes and
# every volunteer is asked to accept the new one at their next visit.
PRIVACY_NOTICE_VERSION = env.int("PRIVACY_NOTICE_VERSION", default=1)
# Call-ups: at most one alert per volunteer per this many hours (red crises excepted).
ALERT_FREQUENCY_CAP_HOURS = env.int("ALERT_FREQUENCY_CAP_HOURS", default=24)
ALERT_CHUNK_SIZE = env.int("ALERT_CHUNK_SIZE", default=100)
# A failed delivery is retried this many times, after 2**attempt × this many seconds.
ALERT_MAX_ATTEMPTS = env.int("ALERT_MAX_ATTEMPTS", default=5)
ALERT_RETRY_BASE_SECONDS = env.float("ALERT_RETRY_BASE_SECONDS", default=30.0)
# Alerts claimed by a sender and still "sending" after this long are swept (worker died).
ALERT_CLAIM_TIMEOUT_SECONDS = env.int("ALERT_CLAIM_TIMEOUT_SECONDS", default=300)
# Sending tasks enqueued per launch or wave, so that several workers share the work.
ALERT_PARALLEL_SENDERS = env.int("ALERT_PARALLEL_SENDERS", default=4)
# LightsOff: reverse geocoding through a Nominatim-compatible API (empty: the reporter
# types the address), called from the server with a short timeout.
GEOCODER_URL = env.str("GEOCODER_URL", default="")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=3.0)
GEOCODER_USER_AGENT = env.str("GEOCODER_USER_AGENT", default=f"Reserve-LightsOff/1.0 ({SITE_URL})")
# LightsOff: refer a repeat offender to its town hall as soon as it is "to refer" (the
# dossier is e-mailed to the mairie without a moderator), instead of waiting for one.
LIGHTSOFF_AUTO_REFER = env.bool("LIGHTSOFF_AUTO_REFER", default=False)
# LightsOff per-IP limits on anonymous writes: {scope: (requests, seconds)}.
LIGHTSOFF_RATE_LIMITS = {
    "report": (env.int("LIGHTSOFF_REPORTS_PER_HOUR", default=20), 3600),
    "action": (env.int("LIGHTSOFF_ACTIONS_PER_HOUR", default=30), 3600),
    "api": (env.int("LIGHTSOFF_API_PER_MINUTE", default=600), 60),
}
# Reverse proxies in front of the site (0: none). With 1 or more, the visitor's address
# for the rate limits is read from X-Forwarded-For (see reserve/ratelimit.py).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
