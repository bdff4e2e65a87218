"""factory_boy factories for the base data. Workflow state (submissions, reviews, findings) is made
through the services in tests, not here, so tests exercise the real rules."""
import itertools

import factory
from factory.django import DjangoModelFactory

from units.models import District, Membership, Person, Role, Unit, UnitCategory, User

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_credit_counter = itertools.count(1)


def next_credit_code() -> str:
    """A syntactically valid, unique 18-character unified social credit code."""
    n = next(_credit_counter)
    tail = ""
    for _ in range(10):
        n, r = divmod(n, len(_CREDIT_ALPHABET))
        tail = _CREDIT_ALPHABET[r] + tail
    return "11" + "330100" + tail


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = "county"
    sort_order = factory.Sequence(int)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = ""
    credit_code = factory.LazyFunction(next_credit_code)
    district = factory.SubFactory(DistrictFactory)
    category = UnitCategory.GOVERNMENT
    headcount = 120
    floor_area = 6000


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.DIRECTOR
    password = factory.PostGenerationMethodCall("set_password", "Test-pass-2026")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            for unit in extracted:
                Membership.objects.create(user=self, unit=unit)
        if create:
            self.save()


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"员工{n}")
    position = "办公室"


def city_approve(enrolment, *, reviewer=None, reason="经市级评审,同意命名"):
    """The city's 同意命名 for a passed unit (市级评审), through the service: publicity needs it."""
    from inspections.services.city_review import city_decision_record

    if reviewer is None:
        reviewer = User.objects.filter(role=Role.REVIEWER).first() or UserFactory(role=Role.REVIEWER)
    return city_decision_record(actor=reviewer, enrolment=enrolment, decision="approve", reason=reason)
