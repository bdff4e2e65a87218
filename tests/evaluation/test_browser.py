"""The public questionnaire in a real browser at 375 px (Playwright driving Debian's Chromium): no
JavaScript errors, no horizontal scrolling, the comment counter, an over-long comment refused with the
ratings kept, then a successful answer."""
import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from inspections.evaluation.models import EvaluationResponse

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.browser
def test_public_questionnaire_at_375px_without_javascript_errors(live_server, target_a):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    url = live_server.url + reverse("evaluation_public:questionnaire", args=[target_a.token])
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        page = context.new_page()
        errors = []

        def on_console(msg):
            # The refused answer is re-rendered with status 400 on purpose; Chromium logs the document's
            # own status as "Failed to load resource". Any other resource failing is still an error.
            own_status = msg.text.startswith("Failed to load resource") and msg.location.get("url") == url
            if msg.type == "error" and not own_status:
                errors.append(f"console: {msg.text} @ {msg.location}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for question in ("节能降耗成效", "垃圾分类", "办公环境"):
            page.locator("fieldset", has_text=question).locator("label", has_text="满意").first.click()
        page.locator("fieldset", has_text="总体满意度").locator("label", has_text="基本满意").click()
        comment = page.locator("textarea[name=comment]")
        comment.fill("节" * 501)
        counter = page.locator("[data-count-for=id_comment]")
        assert counter.inner_text() == "501 / 500"
        assert "text-danger" in counter.get_attribute("class")
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "evaluation_questionnaire_375.png"), full_page=True)
        page.locator("#questionnaire button[type=submit]").click()
        page.wait_for_load_state()
        assert "意见建议最多500字,您输入了501字" in page.content()
        assert page.locator("input[name=rating_overall][value=basic]").is_checked()  # nothing lost
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        comment.fill("希望加强食堂节约宣传")
        page.locator("#questionnaire button[type=submit]").click()
        page.wait_for_url("**/thanks/")
        assert "提交成功" in page.content()
        page.screenshot(path=str(SCREENSHOT_DIR / "evaluation_thanks_375.png"))
        browser.close()
    assert errors == []
    answer = EvaluationResponse.objects.get(target=target_a)
    assert answer.rating_overall == "basic" and answer.comment == "希望加强食堂节约宣传"
