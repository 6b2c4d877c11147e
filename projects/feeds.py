from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Project


class NewlyOpenedProjectsFeed(Feed):
    """Atom feed of the projects most recently opened to volunteers."""

    feed_type = Atom1Feed
    title = _("Réserve: projects newly open to volunteers")
    link = reverse_lazy("projects:index")
    subtitle = _("Public-interest projects looking for volunteers.")
    # RFC 4287 wants an author for the feed (or each entry): the reserve publishes them.
    author_name = "Réserve"

    def items(self):
        return Project.objects.newly_opened()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.pitch

    def item_pubdate(self, item):
        return item.opened_at

    def item_updateddate(self, item):
        return item.opened_at

    def item_categories(self, item):
        return [item.get_theme_display()]
