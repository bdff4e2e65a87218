"""Retake the README screenshots from a running demo (`seed_demo` data, two-factor log-in off).

    DATABASE_URL=sqlite:////path/demo.sqlite3 GREENOFFICE_REQUIRE_2FA_ROLES= .venv/bin/python manage.py runserver 8115
    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8115

The same DATABASE_URL lets the script find the demo route's records (the visit under way, the order sent
back once, ...). Needs Playwright and Debian's chromium; writes 256-colour PNGs next to this file."""
import os
import sys
from pathlib import Path

import django
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenoffice.settings.local")
django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402

from assessment.models import Enrolment  # noqa: E402
from inspections.models import Inspection, RectificationOrder, YearEndReview  # noqa: E402

PASSWORD = "Green-Office-2026"  # the demo's published password (seed_demo)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
MAX_BYTES = 250_000


def shots() -> list[tuple[str, str | None, str, int, int]]:
    """(file, username, path, width, height to keep from the top)."""
    draft = Enrolment.objects.get(unit__name="南湖县人民法院")
    visit = Inspection.objects.filter(status="in_progress").order_by("pk").first()
    order = RectificationOrder.objects.filter(reopen_count__gt=0, status="closed").order_by("pk").first()
    review = YearEndReview.objects.get(enrolment__unit__name="示范市发展和改革委员会")
    return [
        ("dashboard.png", "leader", "/dashboard/", 1280, 1480),
        ("self-assessment.png", "director4", f"/assessment/self-assessments/{draft.pk}/", 1280, 900),
        ("checklist-phone.png", "inspector2", f"/inspections/visits/{visit.pk}/", 375, 1000),
        ("review-queue-phone.png", "inspector1", "/assessment/review/", 375, 1064),
        ("rectification-order.png", "inspector1", f"/inspections/orders/{order.pk}/", 1280, 930),
        ("year-end-review.png", "inspector1", f"/inspections/reviews/{review.pk}/", 1280, 960),
        ("public-certified.png", None, "/inspections/public/certified/", 1280, 900),
        ("login-phone.png", None, "/accounts/login/", 375, 812),
    ]


def save_small(raw: Path, out: Path, height: int) -> None:
    image = Image.open(raw).convert("RGB")
    image = image.crop((0, 0, image.width, min(image.height, height)))
    for colours in (256, 128, 64):
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, optimize=True)
        if out.stat().st_size < MAX_BYTES:
            break


def main(base: str) -> None:
    raw = HERE / "raw.png"
    plan = shots()  # before Playwright starts its event loop: the ORM refuses to run inside one
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, username, path, width, height in plan:
            context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 812},
                                          locale="zh-CN")
            page = context.new_page()
            if username:
                page.goto(base + "/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                with page.expect_navigation():
                    page.press("input[name=password]", "Enter")
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)  # the charts animate in
            page.screenshot(path=str(raw), full_page=True)
            save_small(raw, HERE / name, height)
            print(name, (HERE / name).stat().st_size // 1024, "KB")
            context.close()
        browser.close()
    raw.unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
