"""Django settings for Yingji. Every knob is a YINGJI_* environment variable (docs/configuration.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from yingji.env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
    sqlite_database,
)

PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parent.parent
DATA_DIR = env_path(
    "DATA_DIR", _checkout / "data" if (_checkout / "pyproject.toml").exists() else Path.cwd() / "data"
)
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite database and Huey's queue live here

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("DEMO", False)
PRODUCTION = env_bool("PRODUCTION", False)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("YINGJI_PRODUCTION is on: set YINGJI_SECRET_KEY (at least 32 characters).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("YINGJI_PRODUCTION is on: set YINGJI_ALLOWED_HOSTS.")
else:
    SECRET_KEY = SECRET_KEY or "yingji-insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",
    "huey.contrib.djhuey",
    "yingji.core",
    "yingji.accounts",
    "yingji.registry",
    "yingji.risk",
    "yingji.hazards",
    "yingji.monitoring",
    "yingji.inspections",
    "yingji.incidents",
    "yingji.resources",
    "yingji.plans",
    "yingji.alerts",
    "yingji.dashboard",
    "yingji.messaging",
    "yingji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yingji.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yingji.accounts.middleware.IdleTimeoutMiddleware",
    "yingji.core.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yingji.urls"
WSGI_APPLICATION = "yingji.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingji.core.context.platform",
                "yingji.navigation.nav_items",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "yingji.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["yingji.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "yingji.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# Login security (等保2.0 三级 basics).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 10)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
AUDIT_RETENTION_DAYS = max(180, env_int("AUDIT_RETENTION_DAYS", 365))
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365)

SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: the import page refuses files above this size with a clear message.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 20) * 1024 * 1024
# Public reports (有奖举报): at most this many from one client address per hour and per day.
PUBLIC_REPORT_PER_HOUR = env_int("PUBLIC_REPORT_PER_HOUR", 3)
PUBLIC_REPORT_PER_DAY = env_int("PUBLIC_REPORT_PER_DAY", 10)
# QR check-in (扫码检查): a scan whose phone location is farther than this from the enterprise is flagged.
CHECKIN_FAR_METRES = env_int("CHECKIN_FAR_METRES", 500)
# Nearest resources: estimated arrival = straight-line distance × road factor / average speed.
RESOURCES_SPEED_KMH = env_float("RESOURCES_SPEED_KMH", 40.0)
RESOURCES_ROAD_FACTOR = env_float("RESOURCES_ROAD_FACTOR", 1.3)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded photos and documents: outside the web root, served only through scoped views.
UPLOAD_DIR = env_path("UPLOAD_DIR", DATA_DIR / "uploads")
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1024 * 1024

# Map: a tile URL template (天地图 / OSM / an offline tile server). Empty: outlines and points only.
MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION")

# Background jobs: Huey on SQLite by default, Redis when YINGJI_REDIS_URL is set.
_redis_url = env_str("REDIS_URL")
HUEY = {
    "name": "yingji",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("WORKERS", 2), "worker_type": "thread"},
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# Messaging (messaging.services.send): email over SMTP, an HTTP SMS gateway, webhooks, retries, digests.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("SMTP_HOST", "localhost")
EMAIL_PORT = env_int("SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("SMTP_SSL", False)
EMAIL_TIMEOUT = env_int("SMTP_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("SMTP_FROM", "yingji@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_METHOD = env_str("SMS_GATEWAY_METHOD", "POST").upper()
SMS_BODY_FORMAT = env_str("SMS_BODY_FORMAT", "json").lower()
SMS_BODY_TEMPLATE = env_str(
    "SMS_BODY_TEMPLATE",
    '{"phone": "{phone}", "text": "{text}"}' if SMS_BODY_FORMAT == "json" else "phone={phone}&text={text}",
)
SMS_SUCCESS_PATH = env_str("SMS_SUCCESS_PATH")
SMS_SUCCESS_VALUE = env_str("SMS_SUCCESS_VALUE")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
if SMS_GATEWAY_METHOD not in ("GET", "POST"):
    raise ImproperlyConfigured("YINGJI_SMS_GATEWAY_METHOD must be GET or POST.")
if SMS_BODY_FORMAT not in ("json", "form"):
    raise ImproperlyConfigured("YINGJI_SMS_BODY_FORMAT must be json or form.")
if SMS_GATEWAY_METHOD == "GET" and SMS_BODY_FORMAT == "json":
    raise ImproperlyConfigured(
        "YINGJI_SMS_GATEWAY_METHOD=GET sends form fields: set YINGJI_SMS_BODY_FORMAT=form."
    )
if SMS_BODY_FORMAT == "json":
    try:
        json.loads(SMS_BODY_TEMPLATE)
    except ValueError:
        raise ImproperlyConfigured("YINGJI_SMS_BODY_TEMPLATE is not valid JSON.") from None
MESSAGING_WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
MESSAGING_MAX_ATTEMPTS = max(1, env_int("MESSAGING_MAX_ATTEMPTS", 5))
MESSAGING_DIGEST_THRESHOLD = env_int("MESSAGING_DIGEST_THRESHOLD", 5)
MESSAGING_DIGEST_WINDOW = env_int("MESSAGING_DIGEST_WINDOW", 600)

# Monitoring ingest (docs/monitoring-ingest.md): MQTT consumer, payload limits, retention.
MONITORING_MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
MONITORING_MQTT_TOPIC_PREFIX = env_str("MQTT_TOPIC_PREFIX", "yingji/v1").strip("/")
MONITORING_MQTT_CLIENT_ID = env_str("MQTT_CLIENT_ID", "yingji-ingest")
MONITORING_MQTT_SESSION_EXPIRY = env_int("MQTT_SESSION_EXPIRY", 7 * 24 * 3600)
MONITORING_MQTT_RECEIVE_MAXIMUM = env_int("MQTT_RECEIVE_MAXIMUM", 1000)
MONITORING_MAX_PAYLOAD_BYTES = env_int("INGEST_MAX_PAYLOAD_BYTES", 1024 * 1024)
MONITORING_FUTURE_SKEW_SECONDS = env_int("INGEST_FUTURE_SKEW_SECONDS", 300)
MONITORING_RETENTION_DAYS = max(30, env_int("READING_RETENTION_DAYS", 30))  # 原安监总局令第40号: >= 30 days
MONITORING_MINUTE_RETENTION_DAYS = env_int("ROLLUP_MINUTE_RETENTION_DAYS", 90)
MONITORING_HOUR_RETENTION_DAYS = env_int("ROLLUP_HOUR_RETENTION_DAYS", 5 * 366)
# Alarms: minutes to acknowledge per severity ("severity:minutes,..."), then the escalation ladder.
ALARM_ACK_MINUTES = env_str("ALARM_ACK_MINUTES", "4:5,3:10,2:15,1:30")
# Warnings, call and acknowledge (docs/alerts.md "叫应"): minutes per level, redials, gateways.
CALL_ACK_MINUTES = env_str("CALL_ACK_MINUTES", "red=5,orange=15,yellow=30,blue=60")
CALL_REDIALS = max(0, env_int("CALL_REDIALS", 3))
CALL_VOICE_URL = env_str("CALL_VOICE_URL", "")
CALL_SMS_REPLY_TOKEN = env_str("CALL_SMS_REPLY_TOKEN", "")

FILTERS_EMPTY_CHOICE_LABEL = _("All")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

MESSAGE_TAGS = {40: "danger"}
