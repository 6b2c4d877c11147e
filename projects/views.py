from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import (
    ApplyForm,
    DecisionForm,
    FrequencyForm,
    NeedForm,
    ProjectEditForm,
    ProposeForm,
    SavedSearchForm,
    TeamMessageForm,
    UpdateForm,
)
from .models import Application, Membership, Need, Project, SavedSearch


def _public_name(user):
    """What the public sees of a volunteer: the display name they chose, never the e-mail."""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or _("A volunteer")


# --- Backlog ----------------------------------------------------------------------------
def _backlog_response(request, params, save_form=None):
    backlog = selectors.backlog(params, user=request.user, page_number=params.get("page"))
    query = services.clean_query(params)
    return render(
        request,
        "projects/index.html",
        {
            "backlog": backlog,
            "filter": backlog.filterset,
            "page_obj": backlog.page,
            "projects": [(p, backlog.reasons.get(p.pk, "")) for p in backlog.page.object_list],
            "query": query,
            "save_form": save_form or SavedSearchForm(),
        },
    )


def index(request):
    """The backlog: filters in the URL, paginated, ordered for the volunteer when asked."""
    return _backlog_response(request, request.GET)


@login_required
@require_POST
def save_search(request):
    params = QueryDict(request.POST.get("query", ""))
    form = SavedSearchForm(request.POST, params=params)
    if not form.is_valid():
        return _backlog_response(request, params, save_form=form)
    services.save_search(
        user=request.user,
        params=params,
        name=form.cleaned_data["name"],
        frequency=form.cleaned_data["frequency"],
    )
    messages.success(request, _("Search saved. Manage it from your projects page."))
    return redirect(f"{reverse('projects:index')}?{services.clean_query(params)}")


@login_required
@require_POST
def update_search(request, pk):
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    if request.POST.get("delete"):
        services.delete_search(search=search)
        messages.success(request, _("Saved search deleted."))
    else:
        form = FrequencyForm(request.POST, instance=search)
        if form.is_valid():
            services.set_digest_frequency(search=search, **form.cleaned_data)
            messages.success(request, _("Digest frequency updated."))
        else:
            messages.error(request, _("Choose a frequency from the list."))
    return redirect("projects:mine")


# --- A project's page ---------------------------------------------------------------------
def detail(request, slug, *, update_form=None):
    try:
        project = selectors.project_page(slug)
    except Project.DoesNotExist:
        raise Http404 from None
    user = request.user
    team = [(m, _public_name(m.volunteer)) for m in project.team]
    is_member = user.is_authenticated and any(m.volunteer_id == user.pk for m in project.team)
    can_manage = user.is_authenticated and (
        project.lead_id == user.pk
        or any(m.volunteer_id == user.pk and m.role == Membership.Role.LEAD for m in project.team)
        or user.is_coordinator
    )
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "qualification": getattr(project, "qualification", None),
            "team": team,
            "updates": [
                (u, _public_name(u.author) if u.author else "") for u in project.latest_updates[:20]
            ],
            "applied": selectors.applied_need_ids(user, project),
            "is_member": is_member,
            "can_manage": can_manage,
            "recruiting": project.status in services.RECRUITING,
            "update_form": (update_form or UpdateForm()) if (is_member or can_manage) else None,
        },
        status=400 if update_form is not None else 200,
    )


@login_required
def apply(request, slug, need_id):
    need = get_object_or_404(
        Need.objects.select_related("project", "skill"), pk=need_id, project__slug=slug
    )
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_for_need(
                need=need, volunteer=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Application sent. The project lead will answer you by e-mail.")
            )
            return redirect("projects:mine")
    return render(
        request,
        "projects/apply.html",
        {"need": need, "project": need.project, "form": form},
    )


@login_required
@require_POST
def post_update(request, slug):
    project = get_object_or_404(Project, slug=slug)
    is_member = project.memberships.filter(volunteer=request.user, left_at__isnull=True).exists()
    if not (is_member or project.is_managed_by(request.user)):
        raise PermissionDenied
    form = UpdateForm(request.POST)
    if not form.is_valid():
        # The page again, with the message on the field and the text as typed.
        return detail(request, slug, update_form=form)
    services.post_update(project=project, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("News posted."))
    return redirect(project)


# --- Ideas --------------------------------------------------------------------------------
@login_required
def propose(request):
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.propose_project(by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Thank you! A coordinator will get back to you to qualify the idea."),
        )
        return redirect(project)
    return render(request, "projects/propose.html", {"form": form})


# --- The lead's space ------------------------------------------------------------------------
def _managed(request, slug):
    project = get_object_or_404(Project, slug=slug)
    if not project.is_managed_by(request.user):
        raise PermissionDenied
    return project


# The lead's space shows several forms on one page: distinct ids keep every label unique.
NEED_FORM_IDS = "id_need_%s"
TEAM_FORM_IDS = "id_team_%s"


def _decision_ids(application):
    return f"id_application{application.pk}_%s"


def _manage_response(
    request, project, *, edit_form=None, need_form=None, decision=None, team_form=None
):
    needs, team = selectors.management_page(project)
    decision_forms = dict([decision]) if decision else {}
    return render(
        request,
        "projects/manage.html",
        {
            "project": project,
            "edit_form": edit_form or ProjectEditForm(instance=project),
            "need_form": need_form or NeedForm(auto_id=NEED_FORM_IDS),
            "needs": [
                (
                    need,
                    [
                        (
                            a,
                            _public_name(a.volunteer),
                            decision_forms.get(a.pk) or DecisionForm(auto_id=_decision_ids(a)),
                        )
                        for a in need.applications.all()
                    ],
                )
                for need in needs
            ],
            "team": [(m, _public_name(m.volunteer)) for m in team],
            # Contact details are the coordinators' only (volunteers' privacy notice);
            # leads write to their team through the platform.
            "show_contacts": request.user.is_coordinator,
            "team_form": team_form or TeamMessageForm(auto_id=TEAM_FORM_IDS),
        },
    )


@login_required
def manage(request, slug):
    project = _managed(request, slug)
    if request.method == "POST":
        form = ProjectEditForm(request.POST, instance=project)
        if form.is_valid():
            services.update_project_page(project=project, **form.cleaned_data)
            messages.success(request, _("Project page updated."))
            return redirect("projects:manage", slug=project.slug)
        return _manage_response(request, project, edit_form=form)
    return _manage_response(request, project)


@login_required
@require_POST
def write_to_team(request, slug):
    """The lead writes to the team; the platform relays it (addresses stay private)."""
    project = _managed(request, slug)
    form = TeamMessageForm(request.POST, auto_id=TEAM_FORM_IDS)
    if not form.is_valid():
        return _manage_response(request, project, team_form=form)
    services.write_to_team(project=project, author=request.user, **form.cleaned_data)
    messages.success(request, _("Message sent to the team."))
    return redirect("projects:manage", slug=project.slug)


@login_required
def edit_need(request, slug, pk=None):
    project = _managed(request, slug)
    need = get_object_or_404(Need, pk=pk, project=project) if pk else Need(project=project)
    form = NeedForm(
        request.POST or None, instance=need, auto_id=NEED_FORM_IDS if pk is None else "id_%s"
    )
    if request.method == "POST" and form.is_valid():
        services.save_need(need=need, **form.cleaned_data)
        messages.success(request, _("Role saved."))
        return redirect("projects:manage", slug=project.slug)
    if pk is None and request.method == "POST":
        return _manage_response(request, project, need_form=form)
    return render(
        request,
        "projects/need_form.html",
        {"project": project, "form": form, "need": need},
    )


@login_required
@require_POST
def decide(request, slug, pk):
    project = _managed(request, slug)
    application = get_object_or_404(Application, pk=pk, need__project=project)
    form = DecisionForm(request.POST, auto_id=_decision_ids(application))
    if not form.is_valid():
        return _manage_response(request, project, decision=(application.pk, form))
    try:
        if form.cleaned_data["decision"] == DecisionForm.ACCEPT:
            services.accept_application(application=application, by=request.user)
            messages.success(request, _("Application accepted: the volunteer is told by e-mail."))
        else:
            services.decline_application(
                application=application,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Application declined: the volunteer is told by e-mail."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:manage", slug=project.slug)


# --- The volunteer's own page ----------------------------------------------------------------
@login_required
def mine(request):
    space = selectors.volunteer_space(request.user)
    space["saved_searches"] = [
        (s, FrequencyForm(instance=s, auto_id=f"id_search{s.pk}_%s"))
        for s in space["saved_searches"]
    ]
    return render(request, "projects/mine.html", space)


@login_required
@require_POST
def leave(request, pk):
    membership = get_object_or_404(Membership, pk=pk, volunteer=request.user)
    services.leave_project(membership=membership)
    messages.success(request, _("You left the team. Thank you for your help!"))
    return redirect("projects:mine")


@login_required
@require_POST
def extend(request, pk):
    membership = get_object_or_404(Membership, pk=pk, volunteer=request.user, left_at__isnull=True)
    membership = services.extend_membership(membership=membership)
    messages.success(
        request,
        _("Thank you! You stay in the team until %(date)s.")
        % {"date": membership.expected_end.strftime("%d/%m/%Y")},
    )
    return redirect("projects:mine")


@login_required
@require_POST
def withdraw(request, pk):
    application = get_object_or_404(Application, pk=pk, volunteer=request.user)
    if services.withdraw_application(application=application):
        messages.success(request, _("Application withdrawn."))
    return redirect("projects:mine")
