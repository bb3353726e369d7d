"""Test runs: fast hashing, tasks run inline, no throttling surprises."""

from pathlib import Path

from .dev import *  # noqa: F403

LEVIER_ENVIRONMENT = "test"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute"}}  # noqa: F405
ALLOWED_HOSTS = ["*"]
LEVIER_SIMULATION_FLUSH_SECONDS = 0  # statistics written at once

import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="levier-test-media-"))  # noqa: F405
LEVIER_HELD_IMPORTS_DIR = MEDIA_ROOT / "held-imports"
