import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import RubricItem, RubricStatus, RubricVersion
from assessment.rubric_schema import load_default_rubric, parse_rubric
from assessment.services.rubric import rubric_import
from tests.assessment.rubric_campaign_helpers import default_rubric_text, import_rubric

READ_PAGES = ("assessment:rubric_list", "assessment:rubric_detail", "assessment:rubric_export")


def _url(name, rubric):
    if name in ("assessment:rubric_list", "assessment:rubric_import"):
        return reverse(name)
    return reverse(name, args=[rubric.pk])


def _bad_text():
    data = yaml.safe_load(default_rubric_text())
    data["rubric"]["blocks"][1]["items"][0]["points"] = "八"
    data["rubric"]["total_points"] = 99
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.django_db
def test_rubric_pages_anonymous_is_redirected_to_login(client):
    rubric = import_rubric(publish=False)
    for name in (*READ_PAGES, "assessment:rubric_import", "assessment:rubric_publish"):
        response = client.get(_url(name, rubric))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


@pytest.mark.django_db
def test_rubric_pages_role_matrix(client, director_a, inspector_a, leader_a, admin_user):
    rubric = import_rubric(publish=False)
    expected = {
        # page: (director, inspector, leader, admin)
        "assessment:rubric_list": (403, 200, 403, 200),
        "assessment:rubric_detail": (403, 200, 403, 200),
        "assessment:rubric_export": (403, 200, 403, 200),
        "assessment:rubric_import": (403, 403, 403, 200),
        "assessment:rubric_publish": (403, 403, 403, 200),
    }
    for name, codes in expected.items():
        for user, code in zip((director_a, inspector_a, leader_a, admin_user), codes, strict=True):
            client.force_login(user)
            assert client.get(_url(name, rubric)).status_code == code, (name, user.username)


@pytest.mark.django_db
def test_rubric_writes_are_forbidden_to_inspectors(client, inspector_a):
    rubric = import_rubric(publish=False)
    client.force_login(inspector_a)
    assert client.post(reverse("assessment:rubric_import"), {"text": default_rubric_text()}).status_code == 403
    assert client.post(reverse("assessment:rubric_publish", args=[rubric.pk])).status_code == 403
    assert client.post(reverse("assessment:rubric_new_version", args=[rubric.pk])).status_code == 403
    assert client.post(reverse("assessment:rubric_delete", args=[rubric.pk])).status_code == 403
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.DRAFT


@pytest.mark.django_db
def test_rubric_detail_inspector_sees_no_write_buttons(client, inspector_a, admin_user):
    rubric = import_rubric(publish=False)
    client.force_login(inspector_a)
    html = client.get(_url("assessment:rubric_detail", rubric)).content.decode()
    assert reverse("assessment:rubric_publish", args=[rubric.pk]) not in html
    client.force_login(admin_user)
    html = client.get(_url("assessment:rubric_detail", rubric)).content.decode()
    assert reverse("assessment:rubric_publish", args=[rubric.pk]) in html


@pytest.mark.django_db
def test_rubric_detail_shows_blocks_items_and_rules(client, admin_user, django_assert_max_num_queries):
    rubric = import_rubric()
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(_url("assessment:rubric_detail", rubric))
    html = response.content.decode()
    spec = load_default_rubric()
    for block in spec.blocks:
        assert block.title in html
    for item in spec.items:
        assert item.title in html
    assert "必达项" in html and "一票否决情形" in html and spec.vetoes[0] in html
    assert spec.bonus.items[0].title in html
    assert "限期整改" in html


@pytest.mark.django_db
def test_rubric_import_page_bad_text_lists_messages_and_keeps_text(client, admin_user):
    client.force_login(admin_user)
    text = _bad_text()
    response = client.post(reverse("assessment:rubric_import"), {"text": text})

    assert response.status_code == 200
    errors = response.context["errors"]
    assert len(errors) >= 2
    html = response.content.decode()
    for message in errors:
        assert message.replace('"', "&quot;") in html
    assert response.context["form"]["text"].value() == text
    assert not RubricVersion.objects.exists()


@pytest.mark.django_db
def test_rubric_import_page_bad_upload_puts_content_in_text_box(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("rubric.yaml", _bad_text().encode("utf-8"), content_type="application/yaml")
    response = client.post(reverse("assessment:rubric_import"), {"file": upload, "text": ""})

    assert response.status_code == 200
    assert response.context["errors"]
    assert response.context["form"]["text"].value() == _bad_text()


@pytest.mark.django_db
def test_rubric_import_page_existing_version_message(client, admin_user):
    import_rubric()
    client.force_login(admin_user)
    response = client.post(reverse("assessment:rubric_import"), {"text": default_rubric_text()})
    assert response.status_code == 200
    assert any("已发布,不能覆盖" in message for message in response.context["errors"])


@pytest.mark.django_db
def test_rubric_import_page_empty_form_asks_for_content(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("assessment:rubric_import"), {"text": "  "})
    assert response.status_code == 200
    assert "请上传YAML文件或粘贴YAML内容" in response.content.decode()


@pytest.mark.django_db
def test_rubric_import_page_upload_creates_draft(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("green.yaml", default_rubric_text().encode("utf-8"))
    response = client.post(reverse("assessment:rubric_import"), {"file": upload})

    rubric = RubricVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:rubric_detail",
                                                                             args=[rubric.pk])
    assert rubric.status == RubricStatus.DRAFT and rubric.items.count() == 27


@pytest.mark.django_db
def test_rubric_publish_page_confirms_then_publishes(client, admin_user):
    rubric = import_rubric(publish=False)
    client.force_login(admin_user)
    confirm = client.get(reverse("assessment:rubric_publish", args=[rubric.pk]))
    assert confirm.status_code == 200 and "确认发布" in confirm.content.decode()
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.DRAFT

    response = client.post(reverse("assessment:rubric_publish", args=[rubric.pk]))
    assert response.status_code == 302
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.PUBLISHED


@pytest.mark.django_db
def test_rubric_new_version_page_opens_the_copy(client, admin_user):
    rubric = import_rubric()
    client.force_login(admin_user)
    response = client.post(reverse("assessment:rubric_new_version", args=[rubric.pk]))
    copy = RubricVersion.objects.get(version=2)
    assert response["Location"] == reverse("assessment:rubric_detail", args=[copy.pk])
    assert RubricItem.objects.filter(rubric=copy).count() == 27


@pytest.mark.django_db
def test_rubric_export_downloads_yaml_that_parses_back(client, inspector_a):
    rubric = import_rubric()
    client.force_login(inspector_a)
    response = client.get(reverse("assessment:rubric_export", args=[rubric.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert 'attachment; filename="green-office-v1.yaml"' == response["Content-Disposition"]
    assert parse_rubric(response.content) == load_default_rubric()


@pytest.mark.django_db
def test_rubric_list_query_count_does_not_grow_with_versions(client, admin_user, django_assert_max_num_queries):
    rubric = import_rubric()
    for version in (2, 3, 4):
        text = default_rubric_text().replace("version: 1\n", f"version: {version}\n", 1)
        rubric_import(actor=None, text=text)
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("assessment:rubric_list"))
    assert response.status_code == 200
    assert len(response.context["rubrics"]) == 4
    assert rubric.title in response.content.decode()
