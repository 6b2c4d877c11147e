from django.shortcuts import render

from .models import Crisis


def index(request):
    """How crisis call-ups work, and the crises currently open."""
    crises = Crisis.objects.filter(closed_at__isnull=True)[:10]
    return render(request, "missions/index.html", {"crises": crises})
