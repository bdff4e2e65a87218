"""A shared cache of the dashboard's panel fragments, invalidated by every change that can alter them.

Why: at province scale a panel aggregates tens of thousands of rows (the battle map renders 10,000
tiles, the scores panel groups ~500,000 item rows); leaders open the same panels every morning while
the data behind them changes far less often than they are read (issue 8, docs/performance.md).

What is cached: the htmx fragment of a panel (not the full page, not the xlsx export), keyed by the
panel, the query string (campaign, district, category, "all"), the viewer's data scope (their districts,
or city-wide: the panels contain nothing else of the user), the language, today's date (overdue and
"this month" move at midnight) and a data version.

Invalidation: the version is one counter in the shared cache, bumped after the commit of any audited
change except a short list of actions that provably never reach a panel (drafting a self-assessment,
recording an open visit's checklist, verifying items of a draft review, reports, notifications). Every
state change goes through a service that writes an AuditEvent in its transaction (house rule), so this
one hook sees changes made by web requests, Celery tasks and management commands alike, including the
bulk ones (a units import or an enrolment of the whole province audit a summary row). Writers that
bypass the services (generate_scale_data) call `dashboard_cache_bump()` themselves.

The counter must be shared by every process serving the site, so the cache is used only when
GREENOFFICE_DASHBOARD_CACHE_SECONDS > 0, which the settings do only when Redis is configured; a cache
outage makes the panels compute as if there were no cache."""
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone, translation

from greenoffice.dashboard.scope import dashboard_can_view
from greenoffice.db_router import replica_configured, replica_reads
from greenoffice.models import AuditEvent

logger = logging.getLogger(__name__)

VERSION_KEY = "dashboard:version"
BUMPED_AT_KEY = "dashboard:bumped_at"
# Audited actions that never change what a panel shows: they touch drafts and side records only
# (a draft self-assessment's answers and files, an open visit's entries, a draft review's items,
# reports and notifications). Anything not listed here invalidates, so a new action is safe by default.
NON_DASHBOARD_ACTIONS = frozenset({
    "self_assessment_start", "response_save", "evidence_add", "evidence_remove", "evidence_supersede",
    "checklist_record", "photo_remove", "item_verify", "review_set_extras",
    "report_request", "report_retry",
    # Ledger records feed the carbon panel (issue 24): saving or importing months invalidates; bills don't.
    "ledger_evidence_add", "ledger_evidence_delete",
    "two_factor_enable", "two_factor_disable", "two_factor_reset",
})


def dashboard_cache_enabled() -> bool:
    return getattr(settings, "GREENOFFICE_DASHBOARD_CACHE_SECONDS", 0) > 0


def dashboard_cache_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Lost (evicted, Redis restarted): start from the clock so no fragment of an older life matches.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def dashboard_cache_bump() -> None:
    """Make every cached panel stale (call after the change has committed)."""
    if not dashboard_cache_enabled():
        return
    try:
        if replica_configured():
            cache.set(BUMPED_AT_KEY, time.time(), timeout=None)
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: any new one is unlike the old fragments' versions
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # the cache is down: nothing is served from it either
        logger.warning("dashboard cache: version bump failed", exc_info=True)


@receiver(post_save, sender=AuditEvent, dispatch_uid="dashboard_cache_invalidate")
def _invalidate_on_audit(sender, instance, created, **kwargs):
    if created and instance.action not in NON_DASHBOARD_ACTIONS and dashboard_cache_enabled():
        transaction.on_commit(dashboard_cache_bump)


def _scope_key(user) -> str:
    if user.is_admin_role:
        return "*"
    district_ids = sorted(user.districts.values_list("pk", flat=True))
    return ",".join(map(str, district_ids)) or "*"


def _key(request, panel: str, version) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))
    raw = "|".join([str(version), panel, query, _scope_key(request.user), translation.get_language() or "",
                    timezone.localdate().isoformat()])
    return "dashboard:panel:" + hashlib.sha256(raw.encode()).hexdigest()


def _replica_may_lag() -> bool:
    """A replica may not have the last change yet: don't keep what it answers under the new version."""
    if not replica_configured():
        return False
    bumped_at = cache.get(BUMPED_AT_KEY) or 0
    return time.time() - bumped_at < settings.GREENOFFICE_REPLICA_MAX_LAG_SECONDS


def cached_panel(panel: str):
    """Decorate a panel view (inside @login_required): serve its htmx fragment from the cache. The
    view's reads go to the replica when one is configured (greenoffice/db_router.py)."""

    def decorate(view):
        def run(request, *args, **kwargs):
            with replica_reads():
                return view(request, *args, **kwargs)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            usable = (dashboard_cache_enabled() and request.method == "GET" and getattr(request, "htmx", False)
                      and request.GET.get("format") != "xlsx" and dashboard_can_view(request.user))
            if not usable:
                return run(request, *args, **kwargs)
            try:
                key = _key(request, panel, dashboard_cache_version())
                hit = cache.get(key)
            except Exception:
                logger.warning("dashboard cache: read failed", exc_info=True)
                return run(request, *args, **kwargs)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = run(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                try:
                    if not _replica_may_lag():
                        cache.set(key, (response.content, response["Content-Type"]),
                                  timeout=settings.GREENOFFICE_DASHBOARD_CACHE_SECONDS)
                except Exception:
                    logger.warning("dashboard cache: write failed", exc_info=True)
            return response

        return wrapper

    return decorate
