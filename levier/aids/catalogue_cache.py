"""Cached facts about the public catalogue (filter choices, size), dropped by `forget()`
whenever a service changes a scheme — now and again once the transaction commits, so that
a concurrent request cannot keep what was read before the commit."""

from django.core.cache import cache
from django.db import transaction

CHOICES_KEY = "aids:search:operator-financer-choices"
COUNT_KEY = "aids:public-count"
TIMEOUT = 300


def remembered(key: str, compute):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def forget() -> None:
    cache.delete_many([CHOICES_KEY, COUNT_KEY])
    transaction.on_commit(lambda: cache.delete_many([CHOICES_KEY, COUNT_KEY]))
