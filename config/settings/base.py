"""Production-safe settings. Every environment-specific value comes from a
variable parsed strictly by levier.core.env; dev.py and test.py relax what
must be relaxed on a developer's machine."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from levier.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("LEVIER_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite database and task queue live here by default

LEVIER_ENVIRONMENT = "production"
SECRET_KEY = env_str("LEVIER_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("LEVIER_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("LEVIER_CSRF_TRUSTED_ORIGINS", [])

# Identity elements of the State design system (Marianne, brand block, fonts)
# are reserved to State services and operators.
LEVIER_STATE_BRAND = env_bool("LEVIER_STATE_BRAND", True)
LEVIER_SITE_NAME = "Levier"
LEVIER_OPERATOR_NAME = env_str("LEVIER_OPERATOR_NAME", "DDETS des Bouches-du-Rhône")
LEVIER_DPO_EMAIL = env_str("LEVIER_DPO_EMAIL", "dpd@levier.example.org")
LEVIER_CONTACT_EMAIL = env_str("LEVIER_CONTACT_EMAIL", "contact@levier.example.org")
LEVIER_OTP_REQUIRED = env_bool("LEVIER_OTP_REQUIRED", True)
# Mail to applicants (instruction): an SMTP relay in production, the console in development.
EMAIL_BACKEND = env_str("LEVIER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("LEVIER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LEVIER_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("LEVIER_FROM_EMAIL", "Levier <ne-pas-repondre@levier.example.org>")
# Simulation statistics are counted in memory and written at most every N seconds (0: at once).
LEVIER_SIMULATION_FLUSH_SECONDS = env_int("LEVIER_SIMULATION_FLUSH_SECONDS", 30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "levier.core",
    "levier.territories",
    "levier.referential",
    "levier.organisations",
    "levier.accounts",
    "levier.aids",
    "levier.funding",
    "levier.pathways",
    "levier.reporting",
    "levier.demo",
    "levier.web",
    "levier.api",
]

MIDDLEWARE = [
    "levier.web.core.health.HealthCheckMiddleware",  # first: plain HTTP, any host (levier/web/core/health.py)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "levier.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "levier.web.context_processors.levier",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'levier.sqlite3'}"),
        conn_max_age=env_int("LEVIER_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Settings of each connection (docs/decisions/0017-postgresql-planner-settings.md): no JIT compilation,
    # which costs more than it saves on these queries. LEVIER_PG_OPTIONS="" keeps the server's own settings.
    if pg_options := os.environ.get("LEVIER_PG_OPTIONS", "-c jit=off"):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Brute-force protection: 5 failures lock the (username, IP) pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"

OTP_TOTP_ISSUER = "Levier"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("LEVIER_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Participant files checked on the import page, held (private, 24 h at most) until imported.
LEVIER_HELD_IMPORTS_DIR = VAR_DIR / "held-imports"

# Security: production defaults; dev.py relaxes the HTTPS-only ones.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("LEVIER_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("LEVIER_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, decision 0022): Levier's own files only — no CDN, no inline script
# or style (the pages use htmx and the State design system from /static/; SVG icons may be data: URIs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "levier.api.authentication.AuditedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("LEVIER_API_ANON_RATE", "60/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "levier.api.errors.exception_handler",
    # A JSON body must be an object (levier/api/parsers.py); forms as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "levier.api.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Levier",
    "DESCRIPTION": "API de la plateforme Levier (référentiels, organisations, comptes).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set shared by several fields (sensitive questions: yes / no / declined).
    "ENUM_NAME_OVERRIDES": {"SensitiveAnswerEnum": "levier.pathways.enums.Answer"},
}

# Background work: Huey on SQLite by default, Redis when LEVIER_REDIS_URL is set.
_redis_url = env_str("LEVIER_REDIS_URL", "")
if _redis_url:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "levier", "url": _redis_url, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "levier",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "levier.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LEVIER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
