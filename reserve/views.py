from django.contrib.flatpages.models import FlatPage
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control, never_cache

from .health import health_report
from .home import home_counts

# The static pages, editable in the admin as flat pages (one per language).
PAGES = ("about", "legal", "privacy", "accessibility")


def home(request):
    return render(request, "reserve/home.html", {"counts": home_counts()})


@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask /favicon.ico of any page that names no icon (a feed, an old bookmark):
    send them to the SVG icon instead of a 404. Not permanent: its hashed name changes."""
    return redirect(static("favicon.svg"))


@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )


def page(request, slug):
    """A flat page in the visitor's language, falling back to French."""
    if slug not in PAGES:
        raise Http404
    language = (get_language() or "fr")[:2]
    candidates = [f"/{language}/{slug}/", f"/fr/{slug}/"]
    pages = {p.url: p for p in FlatPage.objects.filter(url__in=candidates)}
    flatpage = next((pages[url] for url in candidates if url in pages), None)
    if flatpage is None:
        raise Http404
    return render(request, "flatpages/default.html", {"flatpage": flatpage, "slug": slug})
