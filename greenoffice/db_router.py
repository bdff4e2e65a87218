"""Read-only traffic of the leaders' dashboard on a PostgreSQL streaming replica.

Enabled only when DATABASE_REPLICA_URL is set (settings add DATABASES["replica"] and this router).
Nothing is read from the replica by default: code opts in with `replica_reads()` around a read that
tolerates a few seconds of replication lag (the dashboard panels do). Writes, and reads inside a
transaction that wrote, always go to the primary. Migrations run on the primary only."""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("greenoffice_use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Route this block's ORM reads to the replica (when one is configured)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and replica_configured():
            return REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
