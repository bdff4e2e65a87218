"""The replica router: reads go to the replica only inside replica_reads() and only when configured."""
from unittest import mock

from assessment.models import Enrolment
from greenoffice import db_router
from greenoffice.db_router import ReplicaRouter, replica_reads


def test_db_router_reads_replica_only_when_asked_and_configured():
    router = ReplicaRouter()
    with mock.patch.object(db_router, "replica_configured", return_value=True):
        assert router.db_for_read(Enrolment) is None
        with replica_reads():
            assert router.db_for_read(Enrolment) == "replica"
            assert router.db_for_write(Enrolment) == "default"
        assert router.db_for_read(Enrolment) is None
    with mock.patch.object(db_router, "replica_configured", return_value=False), replica_reads():
        assert router.db_for_read(Enrolment) is None  # no DATABASE_REPLICA_URL: the primary


def test_db_router_migrates_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "assessment") is True
    assert router.allow_migrate("replica", "assessment") is False
