"""The phone-first checklist page: on-site items first, the camera upload field, saving one item with
htmx or a plain post (nothing typed is lost on error), and a real 375 px Chromium run."""
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import ChecklistEntry, InspectionStatus
from tests.inspections.conftest import item, make_visit, photo_upload

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def open_visit(enrolment_a, inspector_a):
    return make_visit(enrolment_a, actor=inspector_a)


def test_checklist_page_has_camera_upload_field_for_every_item(client, open_visit, inspector_a,
                                                               django_assert_max_num_queries):
    client.force_login(inspector_a)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("inspections:visit_detail", args=[open_visit.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    inputs = re.findall(r"<input[^>]*type=\"file\"[^>]*>", html)
    assert len(inputs) == 27
    for tag in inputs:
        assert 'accept="image/*"' in tag
        assert 'capture="environment"' in tag
        assert " multiple" in tag
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    # On-site items come first: 3.1 is the first on-site item of the default rubric, 1.1 is self-assessed.
    onsite, self_scored = item(open_visit.campaign, "3.1").pk, item(open_visit.campaign, "1.1").pk
    assert html.index(f'id="item-{onsite}"') < html.index(f'id="item-{self_scored}"')
    assert "style=" not in html and "<script>" not in html


def test_checklist_item_saved_with_htmx_returns_the_card(client, open_visit, inspector_a, campaign):
    client.force_login(inspector_a)
    target = item(campaign, "3.1")
    prefix = f"i{target.pk}"
    response = client.post(
        reverse("inspections:visit_item", args=[open_visit.pk, target.pk]),
        {f"{prefix}-result": "minor", f"{prefix}-note": "缺少分类指引", f"{prefix}-photos": [photo_upload()]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card') and "已保存" in html
    entry = ChecklistEntry.objects.get(inspection=open_visit, item=target)
    assert entry.result == "minor" and entry.photos.count() == 1
    assert reverse("inspections:photo_file", args=[entry.photos.get().pk]) in html


def test_checklist_item_error_keeps_what_was_typed(client, open_visit, inspector_a, campaign):
    client.force_login(inspector_a)
    target = item(campaign, "3.1")
    prefix = f"i{target.pk}"
    save = reverse("inspections:visit_item", args=[open_visit.pk, target.pk])
    response = client.post(save, {f"{prefix}-result": "serious", f"{prefix}-note": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "发现问题时必须填写情况记录" in html
    assert re.search(r'value="serious" checked', html)
    fake = SimpleUploadedFile("现场.jpg", b"\x89PNG\r\n\x1a\n<html>not a photo</html>", content_type="image/jpeg")
    response = client.post(save, {f"{prefix}-result": "minor", f"{prefix}-note": "标识不清,位置偏",
                                  f"{prefix}-photos": [fake]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "标识不清,位置偏" in html and "现场.jpg" in html
    assert not ChecklistEntry.objects.filter(inspection=open_visit, item=target).exists()


def test_checklist_page_completed_visit_is_read_only(client, open_visit, inspector_a, campaign):
    client.force_login(inspector_a)
    target = item(campaign, "3.1")
    client.post(reverse("inspections:visit_item", args=[open_visit.pk, target.pk]),
                {f"i{target.pk}-result": "serious", f"i{target.pk}-note": "无分类容器"})
    client.post(reverse("inspections:visit_complete", args=[open_visit.pk]), {"summary": "完成"})
    open_visit.refresh_from_db()
    assert open_visit.status == InspectionStatus.COMPLETED
    html = client.get(reverse("inspections:visit_detail", args=[open_visit.pk])).content.decode()
    assert 'type="file"' not in html
    assert reverse("inspections:order_create", args=[open_visit.findings.get().pk]) in html
    # A post to the locked visit changes nothing.
    client.post(reverse("inspections:visit_item", args=[open_visit.pk, target.pk]),
                {f"i{target.pk}-result": "compliant"})
    assert ChecklistEntry.objects.get(inspection=open_visit, item=target).result == "serious"


@pytest.mark.browser
def test_checklist_page_at_375px_in_chromium(live_server, client, open_visit, inspector_a, campaign, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(inspector_a)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(photo_upload().read())
    target = item(campaign, "3.1")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(f"{msg.text} @ {msg.location}") if msg.type == "error" else None)
        page.goto(live_server.url + reverse("inspections:visit_detail", args=[open_visit.pk]))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert not [e for e in errors if "Content Security Policy" in e], errors
        card = page.locator(f"#item-{target.pk}")
        camera = card.locator("input[type=file]")
        assert camera.get_attribute("capture") == "environment"
        assert camera.is_visible()
        card.locator("label", has_text="一般问题").click()
        card.locator("textarea").fill("分类指引缺失")
        camera.set_input_files(str(photo))
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "inspections_checklist_375.png"), caret="initial")
        card.locator("button[type=submit]").click()
        page.locator(f"#item-{target.pk} img").wait_for()
        card = page.locator(f"#item-{target.pk}")
        assert "已保存" in card.inner_text()
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOT_DIR / "inspections_checklist_375_saved.png"), caret="initial")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
    entry = ChecklistEntry.objects.get(inspection=open_visit, item=target)
    assert entry.result == "minor" and entry.photos.get().taken_at is not None
