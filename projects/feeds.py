from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from reserve.sites import absolute_url

from .models import Project


class NewlyOpenedProjectsFeed(Feed):
    """Atom feed of the projects most recently opened to volunteers.

    Links and ids are absolute from SITE_URL: a feed reader keeps them for good, so they
    must not depend on the host the request came through, nor on the Sites record."""

    feed_type = Atom1Feed
    title = _("Réserve: projects newly open to volunteers")
    subtitle = _("Public-interest projects looking for volunteers.")
    # RFC 4287 wants an author for the feed (or each entry): the reserve publishes them.
    author_name = "Réserve"

    def link(self):
        return absolute_url(reverse("projects:index"))

    def feed_url(self):
        return absolute_url(reverse("projects:feed"))

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

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
