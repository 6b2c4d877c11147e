from django.shortcuts import render

from .models import Profile, Skill


def index(request):
    """Join the reserve: what a volunteer does here, and the way in."""
    families = Skill.Family.choices
    return render(
        request,
        "volunteers/index.html",
        {"families": families, "volunteer_count": Profile.objects.active().count()},
    )
