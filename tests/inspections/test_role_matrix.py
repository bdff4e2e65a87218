"""The role matrix of EVERY inspections URL, as one table.

Roles: anonymous, director_a (unit_a), inspector_a and leader_a (district A), admin. "in" targets an
object of unit_a / district A; "out" one of unit_b / district B. Rules checked:
- anonymous → redirect to log-in, except the public list of named units;
- a role that may never use a page → 403 (checked before the object is looked up);
- an object outside the user's scope → 404 (same as missing);
- leaders read in scope (GET 200) and never write (POST 403) — except marking their own notifications read;
- directors read their own unit's orders, completed visits and finalised reviews, act on their orders.
Allowed POSTs are sent empty: they must reach the form or service (200/302/400), never be denied.
"""
import datetime
from functools import cached_property

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assessment.models import RubricItem
from inspections.models import ChecklistResult, InspectionKind
from inspections.services.certification import publicity_close, publicity_open
from inspections.services.rectification import order_acknowledge, order_issue, proof_submit
from inspections.services.rounds import round_create
from inspections.services.visits import checklist_record, inspection_complete
from inspections.services.year_end import objection_raise, review_finalise, review_start
from tests.factories import UnitFactory, UserFactory, city_approve
from tests.inspections.conftest import accept_self_assessment, enrol, make_findings, make_visit, photo_upload
from tests.inspections.test_year_end import verify_all
from units.models import Role

OK = "ok"  # reached the form or the service: 200, 302 (after a service message) or 400 (form errors)
ROLES = ("anonymous", "leader", "director", "inspector", "admin", "reviewer")


class World:
    """The objects the URLs point at, built through the services on first use."""

    def __init__(self, campaign, users, unit_a, unit_b, district_a, district_b, inspector_city):
        self.campaign = campaign
        # The city's reviewer (市级评审): city-wide on the city review, nothing else of inspections.
        self.users = {**users, "reviewer": UserFactory(username="reviewer_m", role=Role.REVIEWER)}
        self.unit_a, self.unit_b = unit_a, unit_b
        self.district_a, self.district_b = district_a, district_b
        self.inspector_city = inspector_city
        self.enrolment_a = enrol(campaign, unit_a)
        self.enrolment_b = enrol(campaign, unit_b)

    # -- rounds ------------------------------------------------------------------------------------
    @cached_property
    def round_in(self):
        return round_create(actor=None, campaign=self.campaign, month=datetime.date(2026, 5, 1), sample_size=1,
                            seed=1)

    @cached_property
    def round_out(self):
        return round_create(actor=None, campaign=self.campaign, month=datetime.date(2026, 5, 1), sample_size=1,
                            seed=1, district=self.district_b)

    # -- visits, findings, orders ------------------------------------------------------------------
    def _completed(self, enrolment, actor):
        finding = make_findings(enrolment, actor=actor, severities=["serious"])[0]
        return finding.inspection, finding

    @cached_property
    def visit_a(self):
        return self._completed(self.enrolment_a, self.users["inspector"])

    @cached_property
    def visit_b(self):
        return self._completed(self.enrolment_b, self.inspector_city)

    def open_visit(self, enrolment, actor):
        return make_visit(enrolment, actor=actor, kind=InspectionKind.UNANNOUNCED)

    @cached_property
    def open_a(self):
        return self.open_visit(self.enrolment_a, self.users["inspector"])

    @cached_property
    def open_b(self):
        return self.open_visit(self.enrolment_b, self.inspector_city)

    def photo(self, visit, actor):
        rubric_item = RubricItem.objects.filter(rubric=self.campaign.rubric).order_by("order").first()
        entry = checklist_record(actor=actor, inspection=visit, item=rubric_item, result=ChecklistResult.COMPLIANT,
                                 photos=[photo_upload()])
        return entry.photos.order_by("-id").first()

    @cached_property
    def photo_a(self):
        inspection = make_visit(self.enrolment_a, actor=self.users["inspector"], kind=InspectionKind.ROUTINE)
        photo = self.photo(inspection, self.users["inspector"])
        inspection_complete(actor=self.users["inspector"], inspection=inspection)
        return photo

    @cached_property
    def photo_b(self):
        inspection = make_visit(self.enrolment_b, actor=self.inspector_city, kind=InspectionKind.ROUTINE)
        return self.photo(inspection, self.inspector_city)

    def _order(self, finding, issuer, director):
        order = order_issue(actor=issuer, finding=finding, required_action="整改",
                            deadline=timezone.localdate() + datetime.timedelta(days=10))
        order_acknowledge(actor=director, order=order)
        proof = proof_submit(actor=director, order=order, note="已整改", files=[photo_upload("整改.jpg")])
        return order, proof.files.get()

    @cached_property
    def order_a(self):
        return self._order(self.visit_a[1], self.users["inspector"], self.users["director"])

    @cached_property
    def order_b(self):
        director_b = UserFactory(username="director_b_m", role=Role.DIRECTOR, units=[self.unit_b])
        return self._order(self.visit_b[1], self.inspector_city, director_b)

    @cached_property
    def fresh_finding_a(self):
        return make_findings(self.enrolment_a, actor=self.users["inspector"], severities=["minor"])[0]

    @cached_property
    def fresh_finding_b(self):
        return make_findings(self.enrolment_b, actor=self.inspector_city, severities=["minor"])[0]

    # -- year-end reviews ----------------------------------------------------------------------------
    def _review(self, enrolment, director):
        accept_self_assessment(enrolment, director=director, inspector=self.inspector_city)
        review = review_start(actor=self.inspector_city, enrolment=enrolment)
        verify_all(review, self.inspector_city)
        return review_finalise(actor=self.inspector_city, review=review)

    @cached_property
    def review_a(self):
        """Finalised by the city inspector, with the unit's objection pending (so it can be ruled)."""
        review = self._review(self.enrolment_a, self.users["director"])
        objection_raise(actor=self.users["director"], review=review, reason="异议")
        return review

    @cached_property
    def review_b(self):
        director_b = UserFactory(username="director_b_r", role=Role.DIRECTOR, units=[self.unit_b])
        return self._review(self.enrolment_b, director_b)

    # -- certification -------------------------------------------------------------------------------
    @cached_property
    def certificate(self):
        unit_c = UnitFactory(district=self.district_a)
        director_c = UserFactory(username="director_c", role=Role.DIRECTOR, units=[unit_c])
        enrolment_c = self._review(enrol(self.campaign, unit_c), director_c).enrolment
        city_approve(enrolment_c)
        batch = publicity_open(actor=self.inspector_city, campaign=self.campaign, title="", start_date=datetime.date(
            2026, 11, 1), end_date=datetime.date(2026, 11, 7))
        return publicity_close(actor=self.inspector_city, batch=batch, today=datetime.date(2026, 11, 8))[0]


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def both(name, attr, pick=lambda obj: obj):
    """A target with an in-scope (unit_a) and an out-of-scope (unit_b) object."""
    return lambda w, role: (url(name, pick(getattr(w, f"{attr}_a")).pk), url(name, pick(getattr(w, f"{attr}_b")).pk))


def page(name):
    return lambda w, role: (url(name), None)


# (url name, method, target, expected in scope by role, expected out of scope by role)
DENY_DIRECTOR_LEADER = {"leader": 403, "director": 403, "inspector": OK, "admin": OK}
STAFF_OUT = {"leader": 403, "director": 403, "inspector": 404, "admin": OK}
READ_ALL_IN = {"leader": 200, "director": 200, "inspector": 200, "admin": 200}
READ_ALL_OUT = {"leader": 404, "director": 404, "inspector": 404, "admin": 200}
READ_BUREAU = {"leader": 200, "director": 403, "inspector": 200, "admin": 200}
FORM_BUREAU = {"leader": 403, "director": 403, "inspector": 200, "admin": 200}

MATRIX = [
    ("round_list", "get", page("round_list"), READ_BUREAU, None),
    ("round_create", "get", page("round_create"), FORM_BUREAU, None),
    ("round_create", "post", page("round_create"), DENY_DIRECTOR_LEADER, None),
    ("round_detail", "get", lambda w, r: (url("round_detail", w.round_in.pk), url("round_detail", w.round_out.pk)),
     READ_BUREAU, {"leader": 404, "director": 403, "inspector": 404, "admin": 200}),
    ("round_edit", "get", lambda w, r: (url("round_edit", w.round_in.pk), url("round_edit", w.round_out.pk)),
     FORM_BUREAU, STAFF_OUT | {"admin": 200}),
    ("round_edit", "post", lambda w, r: (url("round_edit", w.round_in.pk), url("round_edit", w.round_out.pk)),
     DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("round_draw", "post", lambda w, r: (url("round_draw", w.round_in.pk), url("round_draw", w.round_out.pk)),
     DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("visit_list", "get", page("visit_list"), READ_ALL_IN, None),
    ("visit_create", "get", page("visit_create"), FORM_BUREAU, None),
    ("visit_create", "post", page("visit_create"), DENY_DIRECTOR_LEADER, None),
    ("visit_detail", "get", lambda w, r: (url("visit_detail", w.visit_a[0].pk), url("visit_detail", w.visit_b[0].pk)),
     READ_ALL_IN, READ_ALL_OUT),
    # A director never sees a visit before it is completed (spot checks and unannounced visits).
    ("visit_detail", "get", lambda w, r: (url("visit_detail", w.open_a.pk), None),
     READ_ALL_IN | {"director": 404}, None),
    ("visit_item", "post", lambda w, r: (
        url("visit_item", w.open_a.pk, w.campaign.rubric.items.first().pk),
        url("visit_item", w.open_b.pk, w.campaign.rubric.items.first().pk)), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("visit_complete", "post", both("visit_complete", "open"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("visit_cancel", "post", both("visit_cancel", "open"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    # Files are checked against the unit's scope only: the reviewer has none (404).
    ("photo_file", "get", both("photo_file", "photo"), READ_ALL_IN | {"reviewer": 404},
     READ_ALL_OUT | {"reviewer": 404}),
    ("photo_remove", "post", lambda w, r: (url("photo_remove", w.photo(w.open_a, w.users["inspector"]).pk),
                                           url("photo_remove", w.photo_b.pk)), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("order_create", "get", both("order_create", "fresh_finding"), FORM_BUREAU, STAFF_OUT | {"admin": 200}),
    ("order_create", "post", both("order_create", "fresh_finding"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("order_list", "get", page("order_list"), READ_ALL_IN, None),
    ("order_detail", "get", both("order_detail", "order", lambda o: o[0]), READ_ALL_IN, READ_ALL_OUT),
    ("order_acknowledge", "post", both("order_acknowledge", "order", lambda o: o[0]),
     {"leader": 403, "director": OK, "inspector": 403, "admin": 403},
     {"leader": 403, "director": 404, "inspector": 403, "admin": 403}),
    ("order_proof", "post", both("order_proof", "order", lambda o: o[0]),
     {"leader": 403, "director": OK, "inspector": OK, "admin": OK},
     {"leader": 403, "director": 404, "inspector": 404, "admin": OK}),
    ("order_verify", "post", both("order_verify", "order", lambda o: o[0]), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("proof_file", "get", both("proof_file", "order", lambda o: o[1]), READ_ALL_IN | {"reviewer": 404},
     READ_ALL_OUT | {"reviewer": 404}),
    ("review_list", "get", page("review_list"), READ_ALL_IN, None),
    ("review_start", "post", lambda w, r: (url("review_start", w.review_a.enrolment_id),
                                           url("review_start", w.review_b.enrolment_id)),
     DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("review_detail", "get", both("review_detail", "review"), READ_ALL_IN, READ_ALL_OUT),
    ("review_item", "post", lambda w, r: (
        url("review_item", w.review_a.pk, w.campaign.rubric.items.first().pk),
        url("review_item", w.review_b.pk, w.campaign.rubric.items.first().pk)), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("review_accept_remaining", "post", both("review_accept_remaining", "review"), DENY_DIRECTOR_LEADER,
     STAFF_OUT),
    ("review_extras", "post", both("review_extras", "review"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("review_finalise", "post", both("review_finalise", "review"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    ("objection_raise", "post", both("objection_raise", "review"),
     {"leader": 403, "director": OK, "inspector": 403, "admin": 403},
     {"leader": 403, "director": 404, "inspector": 403, "admin": 403}),
    ("objection_rule", "post", both("objection_rule", "review"), DENY_DIRECTOR_LEADER,
     STAFF_OUT | {"admin": 404}),  # unit_b has no pending objection: nothing to rule, for anyone
    ("review_recheck", "post", both("review_recheck", "review"), DENY_DIRECTOR_LEADER, STAFF_OUT),
    # The city review: the reviewer city-wide; bureau staff and leaders read within their scope.
    ("city_review_list", "get", page("city_review_list"), READ_BUREAU | {"reviewer": 200}, None),
    ("city_review_decide", "get", both("city_review_decide", "review", lambda r: r.enrolment),
     READ_BUREAU | {"reviewer": 200}, {"leader": 404, "director": 403, "inspector": 404, "admin": 200,
                                       "reviewer": 200}),
    ("city_review_decide", "post", both("city_review_decide", "review", lambda r: r.enrolment),
     {"leader": 403, "director": 403, "inspector": 403, "admin": OK, "reviewer": OK},
     {"leader": 404, "director": 403, "inspector": 404, "admin": OK, "reviewer": OK}),
    ("certification_list", "get", page("certification_list"), READ_BUREAU, None),
    ("publicity_create", "get", page("publicity_create"), FORM_BUREAU, None),
    ("publicity_create", "post", page("publicity_create"), DENY_DIRECTOR_LEADER, None),
    ("publicity_detail", "get", lambda w, r: (url("publicity_detail", w.certificate.batch_id), None),
     READ_BUREAU, None),
    ("publicity_close", "post", lambda w, r: (url("publicity_close", w.certificate.batch_id), None),
     DENY_DIRECTOR_LEADER, None),
    ("publicity_withdraw", "post", lambda w, r: (url("publicity_withdraw", w.certificate.enrolment.publicity_entry.pk),
                                                 None), DENY_DIRECTOR_LEADER, None),
    ("certificate_revoke", "post", lambda w, r: (url("certificate_revoke", w.certificate.pk), None),
     DENY_DIRECTOR_LEADER, None),
    ("public_certified", "get", page("public_certified"), READ_ALL_IN | {"anonymous": 200, "reviewer": 200}, None),
    ("notification_list", "get", page("notification_list"), READ_ALL_IN | {"reviewer": 200}, None),
    # Marking one's own notices read is the one write a leader makes.
    ("notification_read", "post", page("notification_read"), {r: OK for r in (*READ_ALL_IN, "reviewer")}, None),
]


def test_role_matrix_covers_every_inspections_url():
    from inspections.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {row[0] for row in MATRIX}


@pytest.fixture
def world(campaign, role_users, unit_a, unit_b, district_a, district_b, inspector_city):
    return World(campaign, role_users, unit_a, unit_b, district_a, district_b, inspector_city)


def _check(client, method, target, expected, role):
    login = reverse(settings.LOGIN_URL)
    response = getattr(client, method)(target)
    status = response.status_code
    if expected == OK:
        return status in (200, 302, 400) and not (status == 302 and login in response.get("Location", ""))
    if role == "anonymous" and expected == 302:
        return status == 302 and response["Location"].startswith(login)
    return status == expected


@pytest.mark.parametrize("name, method, target, expected_in, expected_out", MATRIX,
                         ids=[f"{row[0]}-{row[1]}" for row in MATRIX])
def test_role_matrix(client, world, name, method, target, expected_in, expected_out):
    failures = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        in_url, out_url = target(world, role)
        # A reviewer is refused (403) wherever a row does not say otherwise.
        missing = 403 if role == "reviewer" else 302
        want_in = expected_in.get(role, missing)
        if not _check(client, method, in_url, want_in, role):
            failures.append(f"{role} {method.upper()} {in_url}: expected {want_in}")
        if out_url is not None:
            want_out = expected_out.get(role, missing)
            if not _check(client, method, out_url, want_out, role):
                failures.append(f"{role} {method.upper()} {out_url} (out of scope): expected {want_out}")
    assert not failures, "\n".join(failures)


def test_role_matrix_director_sees_only_own_orders_in_the_list(client, world):
    order_a, order_b = world.order_a[0], world.order_b[0]
    client.force_login(world.users["director"])
    html = client.get(url("order_list")).content.decode()
    assert order_a.number in html and order_b.number not in html


def test_role_matrix_inspector_city_is_not_limited_to_district_a(client, world):
    client.force_login(world.inspector_city)
    assert client.get(url("order_detail", world.order_b[0].pk)).status_code == 200
