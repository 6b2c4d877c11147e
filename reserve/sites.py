"""The Sites framework's record, kept in step with SITE_URL.

Django's syndication feeds and allauth's e-mails ("… on {{ site_domain }}", signed
{{ site_name }}) read the `Site` of SITE_ID. The first migration created it as
"localhost"; every `migrate` now rewrites it from SITE_URL (domain) and names it after
the platform, so no e-mail or feed says "localhost" once deployed.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

PLATFORM_NAME = "Réserve"


def site_domain():
    """The host (and port, if any) of SITE_URL: "reserve.example.org", "127.0.0.1:8101"."""
    return urlsplit(settings.SITE_URL).netloc


def absolute_url(path):
    """`path` (from reverse() or get_absolute_url()) as a link anyone can open."""
    return settings.SITE_URL + path


def rebase_on_site_url(url):
    """An absolute http(s) link moved onto SITE_URL's scheme and host (path, query and
    fragment kept); anything else unchanged. For links built from a request's host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    path = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return settings.SITE_URL + path


def sync_site(*, using=DEFAULT_DB_ALIAS, site_model=None):
    """Write SITE_URL's domain and the platform's name into the Site of SITE_ID.

    Idempotent; the cached current Site is dropped so that the next read sees it."""
    from django.contrib.sites.models import SITE_CACHE, Site

    model = site_model or Site
    model.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": PLATFORM_NAME}
    )
    SITE_CACHE.clear()


def sync_site_after_migrate(sender, *, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """post_migrate receiver: runs at the end of every `migrate`, so a deployment with a
    new SITE_URL (or `make run PORT=…`) has its Site updated before it serves."""
    try:
        site_model = apps.get_model("sites", "Site") if apps else None
    except LookupError:  # migrating backwards past the sites app
        return
    sync_site(using=using, site_model=site_model)
