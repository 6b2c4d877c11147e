"""For the reserve's volunteers, logged in: the contact tasks ("do it for me") to take
and complete, and the night rounds to re-check shops."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import RoundForm, TaskAreaForm, TaskDoneForm
from ..models import TaskArea, VolunteerContactTask
from ..services import task_areas


@login_required
def tasks(request):
    """Contact tasks ("do it for me") open to the reserve's volunteers, mine, and my area."""
    return _tasks_page(request)


def _tasks_page(request, area_form=None, *, status=200):
    area = TaskArea.objects.filter(user=request.user).first()
    if area_form is None:
        initial = (
            {"place": area.place, "radius_km": area.radius_km, "digest": area.digest}
            if area
            else {}
        )
        area_form = TaskAreaForm(initial=initial)
    return render(
        request,
        "lightsoff/tasks.html",
        {
            "open_tasks": selectors.open_tasks()[:100],
            "my_tasks": selectors.tasks_of(request.user),
            "done_form": TaskDoneForm(),
            "area": area,
            "area_form": area_form,
            "area_tasks": task_areas.open_tasks_in_area(area)[:100] if area else None,
        },
        status=status,
    )


@login_required
@require_POST
def task_area(request):
    """Set my task area (a commune or postcode and a radius) and the daily e-mail."""
    form = TaskAreaForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task_areas.set_task_area(
                user=request.user,
                place=data["place"],
                radius_km=data["radius_km"],
                digest=data["digest"],
            )
        except ValidationError as error:
            form.add_error("place", error)
        else:
            if data["digest"]:
                messages.success(
                    request, _("Area saved: you will hear of new tasks in it, once a day at most.")
                )
            else:
                messages.success(request, _("Area saved. No e-mails: you stopped them."))
            return redirect("lightsoff:tasks")
    return _tasks_page(request, form, status=400)


@login_required
@require_POST
def task_take(request, pk):
    task = get_object_or_404(VolunteerContactTask, pk=pk)
    if services.take_task(task=task, volunteer=request.user):
        messages.success(request, _("The task is yours. Thank you!"))
    else:
        messages.warning(request, _("Another volunteer took this task first."))
    return redirect("lightsoff:tasks")


@login_required
@require_POST
def task_done(request, pk):
    task = get_object_or_404(VolunteerContactTask.objects.select_related("shop"), pk=pk)
    form = TaskDoneForm(request.POST)
    if form.is_valid() and services.complete_task(
        task=task, volunteer=request.user, channel=form.cleaned_data["channel"]
    ):
        messages.success(request, _("Logged. The people who reported this shop will be told."))
    else:
        messages.error(request, _("This task is not yours to complete."))
    return redirect("lightsoff:tasks")


@login_required
def rounds(request):
    """Plan a night round: the shops to re-check around a point."""
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.user.lightsoff_rounds.create(
            latitude=f"{data['latitude']:.6f}",
            longitude=f"{data['longitude']:.6f}",
            radius_m=data["radius_m"],
            planned_for=data["planned_for"],
        )
        messages.success(request, _("Round planned."))
        return redirect("lightsoff:rounds")
    planned = list(request.user.lightsoff_rounds.all()[:10])
    for planned_round in planned:
        planned_round.shops = selectors.shops_to_check(
            lat=planned_round.latitude, lng=planned_round.longitude, radius_m=planned_round.radius_m
        )
    return render(request, "lightsoff/rounds.html", {"form": form, "rounds": planned})
