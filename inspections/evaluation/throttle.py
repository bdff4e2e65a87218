"""Rate limits for the public questionnaire, in Django's cache (fixed windows).

The limits are generous on purpose: a service hall's Wi-Fi puts many honest visitors behind one
address, so the per-address limit is there to stop scripts, not people; one answer per device per day
is the rule that keeps each person to one voice (a database constraint, not the cache).
A cache that is down or cleared only forgets counts: nothing is refused because of it."""
import time

from django.conf import settings
from django.core.cache import cache


def submit_limit() -> tuple[int, int]:
    """(posts allowed, window in seconds) per client address, across all questionnaires."""
    return (int(getattr(settings, "EVALUATION_SUBMIT_LIMIT", 20)),
            int(getattr(settings, "EVALUATION_SUBMIT_WINDOW", 600)))


def hit(scope: str, key: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one request; False once `limit` requests were counted in the current window."""
    now = time.time() if now is None else now
    bucket = f"evaluation:rl:{scope}:{key}:{int(now // window)}"
    try:
        if cache.add(bucket, 1, timeout=window + 5):
            return True
        count = cache.incr(bucket)
    except ValueError:  # the bucket expired between add and incr
        cache.set(bucket, 1, timeout=window + 5)
        return True
    except Exception:  # noqa: BLE001 — a cache outage must not refuse honest answers
        return True
    return count <= limit
