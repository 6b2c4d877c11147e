from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services
from .completeness import profile_completeness
from .exports import directory_csv_response
from .filters import DirectoryFilter
from .forms import (
    AvailabilityFormSet,
    ConsentForm,
    DeleteAccountForm,
    OnboardingForm,
    ProfileForm,
    SkillFormSet,
    grouped_skill_choices,
)
from .models import Profile, Skill
from .space import space_sections

DIRECTORY_PAGE_SIZE = 50


def index(request):
    """The volunteer's space once logged in; what the reserve is, for anybody else."""
    if not request.user.is_authenticated:
        return render(
            request,
            "volunteers/index.html",
            {
                "families": Skill.Family.choices,
                "volunteer_count": Profile.objects.active().count(),
            },
        )
    profile = selectors.profile_for_owner(request.user)
    return render(
        request,
        "volunteers/space.html",
        {
            "profile": profile,
            "completeness": profile_completeness(request.user),
            "sections": space_sections(request.user),
        },
    )


@login_required
def onboarding(request):
    """The short guided form right after sign-up; it can be skipped and finished later."""
    profile = request.user.profile
    # Prefilled, so that coming back to finish it does not undo earlier choices.
    initial = {
        "departement": profile.departement,
        "remote_only": profile.remote_only,
        "crisis_opt_in": profile.crisis_opt_in,
    }
    form = OnboardingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = None
        if data["available_from"] and data["available_until"]:
            period = (data["available_from"], data["available_until"])
        services.complete_onboarding(
            user=request.user,
            skills=data["skills"],
            level=data["level"],
            period=period,
            hours_per_week=data["hours_per_week"] or 0,
            departement=data["departement"],
            remote_only=data["remote_only"],
            crisis_opt_in=data["crisis_opt_in"],
        )
        messages.success(request, _("Welcome to the reserve! Your profile is ready."))
        return redirect("volunteers:index")
    return render(request, "volunteers/onboarding.html", {"form": form})


@login_required
def consent(request):
    """Accept the current privacy notice (at sign-up it is on the sign-up form)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_consent(user=request.user)
        messages.success(request, _("Thank you: your consent is recorded."))
        return redirect(next_url or "volunteers:index")
    return render(request, "volunteers/consent.html", {"form": form, "next": next_url})


@login_required
def profile_edit(request):
    """/volunteers/me/: the profile, its skills and its availability periods."""
    profile = selectors.profile_for_owner(request.user)
    data = request.POST if request.method == "POST" else None
    choices = grouped_skill_choices()
    profile_form = ProfileForm(data, instance=profile)
    skill_formset = SkillFormSet(
        data, instance=profile, prefix="skills", form_kwargs={"skill_choices": choices}
    )
    availability_formset = AvailabilityFormSet(data, instance=profile, prefix="periods")
    if request.method == "POST" and all(
        [profile_form.is_valid(), skill_formset.is_valid(), availability_formset.is_valid()]
    ):
        services.update_profile(
            profile_form=profile_form,
            skill_formset=skill_formset,
            availability_formset=availability_formset,
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("volunteers:profile_edit")
    return render(
        request,
        "volunteers/profile_form.html",
        {
            "profile": profile,
            "form": profile_form,
            "skill_formset": skill_formset,
            "availability_formset": availability_formset,
        },
    )


@login_required
@require_GET
@never_cache
def export(request):
    """/volunteers/me/export.json: everything the platform holds about me."""
    response = JsonResponse(
        selectors.personal_data(request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="reserve-my-data-{stamp}.json"'
    return response


@login_required
def delete(request):
    """/volunteers/me/delete/: erase my account after an explicit confirmation."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Your account is deleted and your personal data erased."))
        return redirect("home")
    return render(request, "volunteers/delete.html", {"form": form})


def profile_detail(request, pk):
    """A volunteer's public part (name, bio, skills), for coordinators and teammates."""
    profile = selectors.visible_profile(viewer=request.user, profile_id=pk)
    if profile is None:
        raise Http404
    return render(
        request,
        "volunteers/profile_detail.html",
        {
            "profile": profile,
            "show_contact": request.user.is_coordinator,
        },
    )


def coordinator_required(view):
    """Anonymous visitors log in first; logged-in volunteers who aren't coordinators get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_coordinator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _directory_filter(request):
    base = Profile.objects.exclude(anonymised_at__isnull=False)
    return DirectoryFilter(request.GET or None, queryset=base, request=request)


@coordinator_required
def directory(request):
    """The coordinators' directory, filtered with django-filter, 50 per page."""
    filterset = _directory_filter(request)
    rows = selectors.directory(filterset.qs)
    page = Paginator(rows, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/directory.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@coordinator_required
def directory_csv(request):
    """The filtered directory as CSV (the same filters as the page)."""
    return directory_csv_response(_directory_filter(request).qs)
