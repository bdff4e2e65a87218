"""The self-assessment page, saving an item (htmx and plain POST), bad uploads in the form, submit,
download and history, and the page's constant query count."""
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_htmx.middleware import HtmxDetails
from PIL import Image

from assessment.models import AssessmentStatus, Evidence, ItemResponse, SubmissionRound
from assessment.services.evidence import evidence_add
from assessment.services.self_assessment import assessment_return, assessment_submit, response_save
from assessment.views.self_assessment import item_save
from tests.assessment.conftest import PDF_BYTES, answer_all, pdf_file, png_bytes, png_file
from tests.assessment.test_evidence_uploads import FakeHugeUpload, exe_bytes, png_with_header_size

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(enrolment):
    return reverse("assessment:self_assessment", args=[enrolment.pk])


def item_url(enrolment, item):
    return reverse("assessment:self_assessment_item", args=[enrolment.pk, item.pk])


def field(item, name):
    return f"i{item.pk}-{name}"


def item_post(item, **values):
    return {field(item, name): value for name, value in values.items()}


@pytest.fixture
def director_client(client, director_a):
    client.force_login(director_a)
    return client


def test_self_assessment_page_shows_all_items_by_block(director_client, enrolment_a, items):
    response = director_client.get(page_url(enrolment_a))
    assert response.status_code == 200
    html = response.content.decode()
    for code in items:
        assert f'id="item-{code.replace(".", "-")}"' in html
    for title in ("组织管理", "节约资源", "污染预防", "工作环境"):
        assert title in html
    assert html.count("现场检查项,由督查员评分") == 4  # 3.1, 4.1, 4.4, 4.5
    assert html.count("data-item-form") == 23
    assert "必达项" in html
    assert "已填报 <strong>0</strong> / 23 项" in html


def test_self_assessment_page_is_read_only_for_inspectors(client, inspector_a, enrolment_a, answered_a):
    client.force_login(inspector_a)
    html = client.get(page_url(enrolment_a)).content.decode()
    assert "data-item-form" not in html
    assert "自评由单位办公室主任填报和提交" in html


def test_item_save_with_htmx_returns_the_card_and_progress(director_client, enrolment_a, assessment_a, items,
                                                           person_a):
    item = items["1.2"]
    deduction = item.deductions.all()[0]
    data = item_post(item, explanation="已印发实施方案", responsible=str(person_a.pk))
    data[field(item, f"d{deduction.pk}")] = "on"
    response = director_client.post(item_url(enrolment_a, item), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("\n<article") or html.lstrip().startswith("<article")
    assert "第1.2项已保存" in html
    assert 'id="sa-progress" class="card mb-3" hx-swap-oob="true"' in html
    assert 'id="sa-submit" class="card mb-3" hx-swap-oob="true"' in html
    saved = ItemResponse.objects.get(assessment=assessment_a, item=item)
    assert saved.self_score == item.points - deduction.points
    assert saved.responsible == person_a
    assert saved.explanation == "已印发实施方案"


def test_item_save_without_js_redirects_to_the_item(director_client, enrolment_a, items):
    item = items["1.1"]
    response = director_client.post(item_url(enrolment_a, item), item_post(item, full_marks="on"))
    assert response.status_code == 302
    assert response["Location"] == page_url(enrolment_a) + "#item-1-1"
    page = director_client.get(response["Location"]).content.decode()
    assert "第1.1项已保存" in page


def test_item_save_service_error_keeps_the_typed_input(director_client, enrolment_a, assessment_a, items):
    item = items["1.1"]
    data = item_post(item, full_marks="on", explanation="这段说明不能丢")
    data[field(item, f"d{item.deductions.all()[0].pk}")] = "on"
    html = director_client.post(item_url(enrolment_a, item), data, **HTMX).content.decode()
    assert "已选择满分,不能同时勾选扣分项或填写得分" in html
    assert "这段说明不能丢" in html
    assert "本项未保存" in html
    assert not ItemResponse.objects.filter(assessment=assessment_a).exists()


def test_item_save_too_long_explanation_without_js_rerenders_the_page(director_client, enrolment_a, items):
    item = items["1.1"]
    text = "长" * 5001
    response = director_client.post(item_url(enrolment_a, item), item_post(item, full_marks="on", explanation=text))
    assert response.status_code == 200
    html = response.content.decode()
    assert "情况说明不能超过5000字(当前5001字)" in html
    assert text in html
    assert "第1.1项未保存" in html


def _post_with_file(client, enrolment, item, upload, explanation):
    data = item_post(item, full_marks="on", explanation=explanation)
    data[field(item, "files")] = upload
    return client.post(item_url(enrolment, item), data, **HTMX)


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("照片.jpg", exe_bytes()), "文件“照片.jpg”的内容是可执行程序,与扩展名.jpg不符,不能上传"),
    (SimpleUploadedFile("巨图.png", png_with_header_size(30000, 30000)),
     "图片“巨图.png”的像素过多(超过4,000万像素),请缩小后再上传"),
    (SimpleUploadedFile("病毒.exe", exe_bytes()), "文件“病毒.exe”的类型不支持"),
])
def test_bad_upload_gets_a_chinese_message_and_keeps_the_explanation(
    director_client, enrolment_a, assessment_a, items, upload, message,
):
    item = items["1.1"]
    html = _post_with_file(director_client, enrolment_a, item, upload, "领导小组已于3月成立").content.decode()
    assert message in html
    assert "领导小组已于3月成立" in html
    assert "本项未保存,请重新选择要上传的文件" in html
    assert 'checked' in html.split(f'name="{field(item, "full_marks")}"')[1].split(">")[0]
    assert not ItemResponse.objects.filter(assessment=assessment_a).exists()
    assert not Evidence.objects.exists()


def test_bad_upload_without_js_rerenders_the_page_with_the_explanation(director_client, enrolment_a, items):
    item = items["1.1"]
    data = item_post(item, full_marks="on", explanation="不用JS也不能丢")
    data[field(item, "files")] = SimpleUploadedFile("照片.jpg", exe_bytes())
    response = director_client.post(item_url(enrolment_a, item), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "与扩展名.jpg不符" in html
    assert "不用JS也不能丢" in html


def test_a_200_mb_upload_is_refused_and_keeps_the_explanation(director_a, enrolment_a, assessment_a, items):
    # The test client would build a 200 MB body in memory: call the view with a file that only says so.
    item = items["1.1"]
    request = RequestFactory().post(item_url(enrolment_a, item), item_post(item, explanation="大文件也不丢说明"),
                                    **HTMX)
    request.user = director_a
    request.htmx = HtmxDetails(request)
    request.FILES.setlist(field(item, "files"), [FakeHugeUpload("全年台账.pdf", 200 * 1024 * 1024)])
    response = item_save(request, enrolment_pk=enrolment_a.pk, item_pk=item.pk)
    html = response.content.decode()
    assert "文件“全年台账.pdf”大小为200.0\xa0MB,超过了20.0\xa0MB的上限" in html
    assert "大文件也不丢说明" in html
    assert not Evidence.objects.exists()


def test_upload_with_a_traversal_name_is_stored_safely(director_client, enrolment_a, assessment_a, items, settings):
    item = items["1.1"]
    html = _post_with_file(director_client, enrolment_a, item, pdf_file("../../x.pdf"), "说明").content.decode()
    assert "第1.1项已保存" in html
    evidence = Evidence.objects.get()
    assert evidence.original_name == "x.pdf"
    assert evidence.file.name.startswith(f"evidence/{assessment_a.pk}/")
    assert evidence.file.name.endswith(hashlib.sha256(PDF_BYTES).hexdigest() + ".pdf")
    assert not (settings.MEDIA_ROOT.parent / "x.pdf").exists()
    assert "x.pdf" in html


def test_polyglot_upload_is_reencoded(director_client, enrolment_a, items):
    item = items["1.4"]
    polyglot = png_bytes() + b"<html><body><script>alert(1)</script></body></html>"
    _post_with_file(director_client, enrolment_a, item, SimpleUploadedFile("宣传栏.png", polyglot), "")
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest() != hashlib.sha256(polyglot).hexdigest()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"


def test_several_files_upload_in_one_post(director_client, enrolment_a, items):
    item = items["1.5"]
    data = item_post(item, full_marks="on")
    data[field(item, "files")] = [pdf_file("签到表.pdf"), png_file("培训.png")]
    director_client.post(item_url(enrolment_a, item), data, **HTMX)
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["培训.png", "签到表.pdf"]


def test_self_assessment_page_query_count_is_constant(client, director_a, enrolment_a, assessment_a, items,
                                                      django_assert_num_queries):
    answer_all(assessment_a, director_a, items)
    client.force_login(director_a)
    url = page_url(enrolment_a)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    # session, user, gate, rubric (3), answers+files (2), people, energy-ledger suggestions for 2.1–2.4
    assert len(baseline) <= 20, len(baseline)

    for code in ("1.1", "1.5", "2.2", "3.2", "4.3"):
        response = ItemResponse.objects.get(assessment=assessment_a, item=items[code])
        for n in range(3):
            evidence_add(actor=director_a, response=response, uploaded_file=png_file(f"{code}-{n}.png",
                                                                                      color=(n, 10, 10)))
    with django_assert_num_queries(len(baseline)):
        html = client.get(url).content.decode()
    # Stored names (content hashes) stay private: files are reached by id through the gate.
    assert all(sha not in html for sha in Evidence.objects.values_list("sha256", flat=True))
    assert html.count("/download/") == 15


def test_evidence_download_is_an_attachment_with_nosniff(director_client, director_a, assessment_a, items):
    response = response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True)
    evidence = evidence_add(actor=director_a, response=response, uploaded_file=pdf_file("成立文件.pdf"))
    download = director_client.get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%88%90%E7%AB%8B%E6%96%87%E4%BB%B6.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_evidence_delete_removes_a_draft_file_via_htmx(director_client, director_a, assessment_a, items):
    response = response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True)
    evidence = evidence_add(actor=director_a, response=response, uploaded_file=pdf_file("草稿.pdf"))
    result = director_client.post(reverse("assessment:evidence_delete", args=[evidence.pk]), **HTMX)
    assert result.status_code == 200
    assert "已删除文件“草稿.pdf”" in result.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_replace_after_return(director_client, director_a, inspector_a, answered_a, items):
    response = ItemResponse.objects.get(assessment=answered_a, item=items["1.1"])
    old = evidence_add(actor=director_a, response=response, uploaded_file=pdf_file("旧.pdf"))
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_return(actor=inspector_a, assessment=answered_a, comment="换一份")
    url = reverse("assessment:evidence_replace", args=[old.pk])
    delete = director_client.post(reverse("assessment:evidence_delete", args=[old.pk]), **HTMX)
    assert "不能删除" in delete.content.decode()
    result = director_client.post(url, {f"replace-{old.pk}": png_file("新.png")}, **HTMX)
    assert "已用“新.png”替换“旧.pdf”" in result.content.decode()
    old.refresh_from_db()
    assert old.superseded_by.original_name == "新.png"


def test_submit_view_names_missing_items(director_client, director_a, enrolment_a, assessment_a, items):
    answer_all(assessment_a, director_a, items, skip={"1.3", "2.5"})
    assessment_a.refresh_from_db()
    url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    response = director_client.post(url, {"version": assessment_a.revision}, follow=True)
    assert "以下项目尚未填报:1.3、2.5" in response.content.decode()
    assert not SubmissionRound.objects.exists()


def test_submit_view_double_submit_is_harmless(director_client, enrolment_a, answered_a):
    url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    first = director_client.post(url, {"version": answered_a.revision}, follow=True)
    assert "已提交第1轮自评,等待督查员审核" in first.content.decode()
    again = director_client.post(url, {"version": answered_a.revision}, follow=True)
    assert again.status_code == 200
    assert "无需重复提交" in again.content.decode()
    assert SubmissionRound.objects.count() == 1


def test_submit_view_refuses_a_stale_page(director_client, director_a, enrolment_a, answered_a, items):
    stale = answered_a.revision
    response_save(actor=director_a, assessment=answered_a, item=items["1.1"], explanation="另一个窗口改的",
                  full_marks=True)
    url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    response = director_client.post(url, {"version": stale}, follow=True)
    assert "自评内容已在其他页面更新,请刷新后再提交" in response.content.decode()
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.DRAFT


def test_page_submit_form_carries_the_current_revision(director_client, enrolment_a, answered_a, items):
    html = director_client.get(page_url(enrolment_a)).content.decode()
    assert f'name="version" id="sa-version" value="{answered_a.revision}"' in html
    item = items["1.1"]
    card = director_client.post(item_url(enrolment_a, item), item_post(item, explanation="新说明", full_marks="on"),
                                **HTMX).content.decode()
    answered_a.refresh_from_db()
    assert f'name="version" id="sa-version" value="{answered_a.revision}"' in card


def test_history_page_shows_rounds_and_changes(client, director_a, inspector_a, answered_a, enrolment_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_return(actor=inspector_a, assessment=answered_a, comment="请修改1.2",
                      item_comments={"1.2": "目标未分解"})
    response_save(actor=director_a, assessment=answered_a, item=items["1.2"],
                  deduction_ids=[items["1.2"].deductions.all()[2].pk], explanation="已据实扣分")
    client.force_login(inspector_a)
    html = client.get(reverse("assessment:self_assessment_history", args=[enrolment_a.pk])).content.decode()
    assert "第1轮" in html and "退回修改" in html and "请修改1.2" in html and "目标未分解" in html
    assert "任务未分解到人" in html and "已据实扣分" in html


def test_my_assessments_lists_the_directors_enrolments(director_client, director_a, enrolment_a, enrolment_b,
                                                       assessment_a, items, django_assert_max_num_queries):
    response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True)
    with django_assert_max_num_queries(6):
        html = director_client.get(reverse("assessment:my_assessments")).content.decode()
    assert "甲区发展和改革局" in html
    assert "乙区财政局" not in html
    assert "已填报 1 / 23 项" in html


def test_item_save_on_a_submitted_assessment_says_why(director_client, director_a, enrolment_a, answered_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    item = items["1.1"]
    html = director_client.post(item_url(enrolment_a, item), item_post(item, explanation="提交后再改"),
                                **HTMX).content.decode()
    assert "已提交的自评不能修改" in html
    assert ItemResponse.objects.get(assessment=answered_a, item=item).explanation != "提交后再改"
