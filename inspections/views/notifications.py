"""The user's own notifications (通知)."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from inspections.selectors.notifications import notification_list_for_user, notification_unread_count
from inspections.services.notifications import notification_mark_read


@login_required
def notification_list(request):
    notices = notification_list_for_user(user=request.user)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(request, "inspections/notification_list.html", {
        "page": page, "unread": notification_unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_read(request):
    """Mark one (``id``) or all of the user's notifications read, then follow ``next`` if it is local."""
    ids = request.POST.getlist("id")
    notification_mark_read(user=request.user, notification_ids=[i for i in ids if i.isdigit()] if ids else None)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("inspections:notification_list")
