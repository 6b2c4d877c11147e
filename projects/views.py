from django.shortcuts import render

from .models import Project


def index(request):
    """The backlog of projects open to volunteers."""
    projects = Project.objects.visible().order_by("-opened_at", "-created_at")[:50]
    return render(request, "projects/index.html", {"projects": projects})
