"""The demo city built once for a test module, inside an outer transaction rolled back after it (each
test then runs in a savepoint within it). seed_demo goes through every service, so it takes a while."""
from contextlib import contextmanager
from io import StringIO

from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings


@contextmanager
def demo_city_built(django_db_blocker, media_root):
    """Yields what seed_demo printed; everything it wrote is rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()
