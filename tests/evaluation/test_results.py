"""Results per unit (answers, satisfaction rate, per-question breakdown), comment moderation, media
feedback, and the QR poster."""
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from inspections.evaluation.models import CommentStatus
from inspections.evaluation.selectors.evaluation import moderation_queue_for_user, target_list_for_user, target_results
from inspections.evaluation.services.evaluation import comment_moderate, media_record
from tests.factories import UserFactory
from units.models import Role

SECRET_COMMENT = "食堂浪费现象比较明显"


def test_comment_is_invisible_until_approved(client, target_a, director_a, inspector_a, leader_a):
    from tests.evaluation.conftest import answer

    response = answer(target_a, comment=SECRET_COMMENT)
    assert response.comment_status == CommentStatus.PENDING
    assert target_results(target=target_a).comments == []
    page = reverse("evaluation:target_detail", args=[target_a.pk])
    for user in (director_a, leader_a, inspector_a):
        client.force_login(user)
        assert SECRET_COMMENT not in client.get(page).content.decode()
    # The moderators see it in their queue only.
    assert list(moderation_queue_for_user(user=inspector_a)) == [response]
    client.force_login(inspector_a)
    assert SECRET_COMMENT in client.get(reverse("evaluation:moderation_queue")).content.decode()
    assert client.post(reverse("evaluation:moderation_decide", args=[response.pk]),
                       {"decision": "approve"}).status_code == 302
    assert [c.comment for c in target_results(target=target_a).comments] == [SECRET_COMMENT]
    for user in (director_a, leader_a, inspector_a):
        client.force_login(user)
        assert SECRET_COMMENT in client.get(page).content.decode()
    assert not moderation_queue_for_user(user=inspector_a).exists()


def test_rejected_comment_never_shows_but_its_ratings_count(target_a, inspector_a):
    from tests.evaluation.conftest import answer

    response = answer(target_a, overall="dissatisfied", comment="广告内容")
    comment_moderate(actor=inspector_a, response=response, approve=False)
    results = target_results(target=target_a)
    assert results.comments == [] and results.answers == 1 and results.satisfied == 0
    response.refresh_from_db()
    assert response.comment_status == CommentStatus.REJECTED and response.moderated_by == inspector_a


def test_moderator_never_judges_comments_on_their_own_unit(target_a, unit_a, district_a):
    from tests.evaluation.conftest import answer

    member = UserFactory(role=Role.INSPECTOR, districts=[district_a], units=[unit_a])
    response = answer(target_a, comment="意见")
    with pytest.raises(PermissionDenied):
        comment_moderate(actor=member, response=response, approve=True)


def test_target_results_breakdown_per_question(target_a, django_assert_num_queries):
    from tests.evaluation.conftest import answer

    for overall in ("satisfied", "basic", "dissatisfied", "dissatisfied"):
        answer(target_a, overall=overall)
    with django_assert_num_queries(3):
        results = target_results(target=target_a)
    assert results.answers == 4 and results.satisfied == 2 and str(results.rate) == "50.00"
    overall = next(q for q in results.questions if q.key == "overall")
    assert overall.counts == {"satisfied": 1, "basic": 1, "dissatisfied": 2}
    energy = next(q for q in results.questions if q.key == "energy")
    assert energy.counts["satisfied"] == 4  # the helper answers the other questions "satisfied"


def test_target_list_counts_in_one_query(target_a, target_b, admin_user, inspector_a, django_assert_num_queries):
    from tests.evaluation.conftest import answer

    for target in (target_a, target_b):
        answer(target, overall="satisfied", comment="x")
        answer(target, overall="dissatisfied")
    with django_assert_num_queries(1):
        rows = list(target_list_for_user(user=admin_user, round_=target_a.round))
    assert [(t.unit_id, t.answer_count, t.satisfied_count, t.pending_count) for t in rows] == [
        (target_a.unit_id, 2, 1, 1), (target_b.unit_id, 2, 1, 1)]
    assert [t.pk for t in target_list_for_user(user=inspector_a)] == [target_a.pk]  # district scope


def test_round_detail_page_query_count_does_not_grow_with_units(client, target_a, target_b, admin_user,
                                                                 django_assert_max_num_queries):
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluation:round_detail", args=[target_a.round_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert target_a.unit.name in html and target_b.unit.name in html and f"/p/{target_a.token}/" in html


def test_media_feedback_recorded_by_hand_shows_on_the_unit(client, target_a, inspector_a, leader_a):
    import datetime

    media_record(actor=inspector_a, round_=target_a.round, target=target_a, source="市日报",
                 published_on=datetime.date(2026, 10, 12), summary="该局推行无纸化办公成效明显", tone="positive")
    with pytest.raises(PermissionDenied):
        media_record(actor=leader_a, round_=target_a.round, source="x", published_on=datetime.date(2026, 10, 1),
                     summary="y", tone="negative")
    client.force_login(leader_a)
    html = client.get(reverse("evaluation:target_detail", args=[target_a.pk])).content.decode()
    assert "市日报" in html and "无纸化办公" in html and "正面" in html


def test_media_feedback_form_keeps_input_on_error(client, target_a, inspector_a):
    client.force_login(inspector_a)
    response = client.post(reverse("evaluation:media_create", args=[target_a.round_id]),
                           {"source": "电视台", "summary": "报道", "tone": "negative", "published_on": ""})
    assert response.status_code == 400
    assert 'value="电视台"' in response.content.decode()


def test_qr_poster_pdf_contains_the_link(client, target_a, director_a, settings):
    client.force_login(director_a)
    response = client.get(reverse("evaluation:target_poster", args=[target_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert f"http://testserver/p/{target_a.token}/" in text
    assert target_a.unit.name in text
    # Posters carry the public host name when one is configured.
    settings.GREENOFFICE_SITE_URL = "https://lvse.example.gov.cn"
    response = client.get(reverse("evaluation:target_poster", args=[target_a.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert f"https://lvse.example.gov.cn/p/{target_a.token}/" in reader.pages[0].extract_text()


def test_target_page_shows_link_and_inline_svg_qr(client, target_a, director_a):
    client.force_login(director_a)
    html = client.get(reverse("evaluation:target_detail", args=[target_a.pk])).content.decode()
    assert f"http://testserver/p/{target_a.token}/" in html
    assert 'src="data:image/svg+xml;base64,' in html
