"""Test runs: fast hashing, tasks run inline, no throttling surprises."""

from .dev import *  # noqa: F403

LEVIER_ENVIRONMENT = "test"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute"}}  # noqa: F405
ALLOWED_HOSTS = ["*"]
