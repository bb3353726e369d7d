"""Developer machine: DEBUG, plain HTTP on 127.0.0.1, a fixed insecure key."""

import os

os.environ.setdefault("LEVIER_SECRET_KEY", "dev-only-insecure-key-never-use-in-production-0123456789")

from .base import *  # noqa: E402,F403
from .base import HUEY  # noqa: E402

LEVIER_ENVIRONMENT = "dev"
DEBUG = env_bool("LEVIER_DEBUG", True)  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# Serve static files from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A developer's machine runs batches of cases against the anonymous computations (simulator, exit
# classification): the production limit (60 a minute, LEVIER_API_ANON_RATE) would stop them.
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"anon": env_str("LEVIER_API_ANON_RATE", "6000/minute")}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
