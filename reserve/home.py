"""The live counts of the home page.

`reserve` imports no app (DESIGN.md): each app registers its own counts from its
AppConfig.ready(), and the home page shows whatever is registered. A label is
`npgettext_lazy("home count", singular, plural, "count")`, so that "1 volunteer" and
"2 volunteers" each read right (a plain lazy string is shown as it is).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

CACHE_KEY = "reserve:home-counts"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class HomeCount:
    key: str
    label: object  # a lazy plural translation, given the count as "count"
    count: Callable[[], int]
    order: int = 0


_registry: dict[str, HomeCount] = {}


def register_count(key, label, count, *, order=0):
    """Register a count shown on the home page; registering the same key twice replaces it."""
    _registry[key] = HomeCount(key=key, label=label, count=count, order=order)


def home_counts():
    """Return [(key, label, value)] in display order; the values are cached a minute."""
    values = cache.get(CACHE_KEY)
    if values is None:
        values = {item.key: item.count() for item in _registry.values()}
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    items = sorted(_registry.values(), key=lambda item: (item.order, item.key))
    return [
        (item.key, item.label % {"count": values.get(item.key, 0)}, values.get(item.key, 0))
        for item in items
    ]
