"""Reads of publicity batches and certificates, and the public list of named units."""
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from inspections.models import Certificate, CertificateStatus, PublicityBatch, PublicityEntry
from inspections.permissions import can_read_supervision


def batch_list_for_user(*, user) -> QuerySet[PublicityBatch]:
    # Publicity is public by nature: scope does not narrow the batch list for bureau staff and leaders.
    if not can_read_supervision(user):
        return PublicityBatch.objects.none()
    return PublicityBatch.objects.select_related("campaign", "created_by")


def batch_get_for_user(*, user, pk) -> PublicityBatch:
    entries = PublicityEntry.objects.select_related("enrolment__unit__district", "enrolment__year_end_review")
    try:
        return batch_list_for_user(user=user).prefetch_related(Prefetch("entries", queryset=entries)).get(pk=pk)
    except (PublicityBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def certificate_list_for_user(*, user) -> QuerySet[Certificate]:
    if not can_read_supervision(user):
        return Certificate.objects.none()
    return Certificate.objects.select_related("unit__district", "enrolment__campaign")


def certificate_get_for_user(*, user, pk) -> Certificate:
    try:
        return certificate_list_for_user(user=user).get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def public_certified_list() -> QuerySet[Certificate]:
    """Named units with a valid certificate: what anyone may see without logging in."""
    return (Certificate.objects.filter(status=CertificateStatus.VALID)
            .select_related("unit__district", "enrolment__campaign").order_by("-year", "sequence"))
