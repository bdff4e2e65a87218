"""Platform views: the home page, the audit trail search and the error pages."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from assessment.calendar import current_phases
from assessment.selectors.campaign import campaign_list_for_user
from assessment.selectors.deadlines import due_for_user
from greenoffice.audit import audit_event_search
from greenoffice.forms import AuditSearchForm
from units.models import Unit, User
from units.selectors import unit_list_for_user


@login_required
def home(request):
    units = unit_list_for_user(user=request.user)
    my_units = units[:5] if request.user.is_director else []
    # The current campaign's calendar, for every role that may see the campaign (directors: their
    # units' campaigns): its current phase and what is due, with a link to the timeline.
    campaign = campaign_list_for_user(user=request.user).filter(is_current=True).first()
    today = timezone.localdate()
    return render(request, "home.html", {
        "unit_count": units.count(), "my_units": my_units, "campaign": campaign,
        "phases": current_phases(campaign, today) if campaign else [],
        "due": due_for_user(request.user, campaign, today) if campaign else [],
    })


@login_required
def audit_list(request):
    if not request.user.is_admin_role:
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    events = audit_event_search()
    if form.is_valid():
        data = form.cleaned_data
        unit_ids = actor_ids = None
        if data["unit"]:
            unit_ids = list(Unit.objects.filter(Q(code=data["unit"]) | Q(name__icontains=data["unit"]))
                            .values_list("pk", flat=True))
        if data["user"]:
            actor_ids = list(User.objects.filter(Q(username=data["user"]) | Q(full_name__icontains=data["user"]))
                             .values_list("pk", flat=True))
        events = audit_event_search(unit_ids=unit_ids, actor_ids=actor_ids, date_from=data["date_from"],
                                    date_to=data["date_to"], action=data["action"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    units_by_id = dict(Unit.objects.filter(pk__in={e.unit_id for e in page if e.unit_id}).values_list("pk", "name"))
    for event in page:
        event.unit_name = units_by_id.get(event.unit_id, "")
        # Pairs made here: in a template `changes.items` looks up a key "items" first (a rubric import
        # records {"items": 27}), which broke the page.
        event.change_pairs = list(event.changes.items()) if isinstance(event.changes, dict) else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/auditevent_list.html", {"form": form, "page": page, "query": query.urlencode()})


# The error pages render for any visitor, signed in or not, and for requests refused before the
# middleware ran (a bad Host header: no request.user, no session); the context processors cope.
def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is English and technical; this one says what to do."""
    return render(request, "errors/403_csrf.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No request context: its processors read the session and the user, and the database may be the
    # very thing that failed (a killed connection would turn this page into the server's bare 500).
    return HttpResponseServerError(render_to_string("errors/500.html"))
