"""The admin's home page as a coordinator's dashboard: what needs someone now.

Each app registers its entries (from its admin module), so this module imports no app:
an entry is a permission, a title and a function that counts and links. The index
(templates/admin/index.html) shows the entries the user may act on, grouped by block,
above Django's list of models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One line of the dashboard: "3 ideas wait for qualification", linked to where
    they are acted on (an admin list, filtered)."""

    text: str  # the whole sentence, its count inside (plural forms are the app's)
    url: str
    count: int = 0  # what waits: a block with nothing waiting is told apart
    detail: str = ""


@dataclass(frozen=True)
class Block:
    key: str
    title: object  # lazy translation
    # The permissions needed to see the block (all of them): a user who cannot view the
    # model the entries link to does not see the block at all.
    permissions: tuple[str, ...]
    entries: Callable[[object], list[Entry]]  # request → entries; one or two queries
    order: int = 0
    empty: object = ""  # said when nothing waits


@dataclass
class Shown:
    block: Block
    entries: list[Entry] = field(default_factory=list)


_registry: dict[str, Block] = {}


def register_block(key, *, title, permissions, entries, order=0, empty=""):
    """Register a dashboard block; registering the same key twice replaces it."""
    _registry[key] = Block(key, title, tuple(permissions), entries, order, empty)


def blocks_for(request):
    """The blocks `request.user` may see, in order, each with its entries computed."""
    user = request.user
    shown = []
    for block in sorted(_registry.values(), key=lambda b: (b.order, b.key)):
        if all(user.has_perm(perm) for perm in block.permissions):
            shown.append(Shown(block, block.entries(request)))
    return shown
