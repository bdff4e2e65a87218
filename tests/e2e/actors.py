"""The people of a browser journey: each `Actor` is one user in a browser context of their own (own
cookies), at the journey's viewport. Every page they see is watched for console errors, uncaught
exceptions, CSP violations (Chromium reports them as console errors) and server errors, and
`check()` fails the test on the first page that had any.

`Actor.look(name)` is what a journey does on each main page: a full-page screenshot under
var/screenshots/e2e/<viewport>/ and an axe-core run that fails on critical or serious violations.
"""
import dataclasses
import json
import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.otp import totp_code

# axe-core 4.14.1 from the npm registry (`npm pack axe-core`), MPL-2.0: vendor/axe.min.js, vendor/LICENSE.
VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
AXE_SOURCE = (VENDOR_DIR / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots" / "e2e"
# Impacts that fail a page; "moderate" and "minor" are reported by axe but are not release blockers.
BLOCKING_IMPACTS = ("critical", "serious")
# Rules switched off for every page, each with its reason. Keep this empty unless a rule is wrong
# for this application; fix the template instead.
AXE_DISABLED_RULES: dict[str, str] = {}
# Waits are on selectors and URLs; this caps each one (the slowest step, a PDF render, takes ~1 s, but
# CI machines are shared and busy).
STEP_TIMEOUT_MS = 20_000

# Chromium's own console message for a CSP violation names neither the script nor the element; this
# adds where it came from, so a failure points at the cause.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile ? e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber : "(markup)";
  var node = e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : String(e.target);
  console.error("CSP violation of " + e.effectiveDirective + " by " + where + " sample=" +
                JSON.stringify(e.sample || "") + " element=" + node);
}, true);
"""

# The innermost elements that stick out past the right edge of the screen, if the page scrolls sideways.
OVERFLOW_PROBE = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) { return []; }
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) { continue; }
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) { continue; }
    if ([...el.children].some(c => c.getBoundingClientRect().right > width + 1)) { continue; }
    out.push(Math.round(box.right) + "px: " + el.outerHTML.slice(0, 160));
    if (out.length >= 8) { break; }
  }
  return out.length ? out : ["(scrollWidth " + document.documentElement.scrollWidth + "px)"];
}"""


@dataclasses.dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    is_mobile: bool

    def context_options(self) -> dict:
        options = {"viewport": {"width": self.width, "height": self.height}, "locale": "zh-CN",
                   "timezone_id": "Asia/Shanghai", "accept_downloads": True,
                   # Charts then draw without animating, so a screenshot shows them finished.
                   "reduced_motion": "reduce"}
        if self.is_mobile:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=1)
        return options


DESKTOP = Viewport("desktop", 1280, 900, is_mobile=False)
PHONE = Viewport("phone", 375, 812, is_mobile=True)


class Actor:
    """One signed-in (or anonymous) person with a page of their own."""

    def __init__(self, *, browser: Browser, base_url: str, viewport: Viewport, user=None, device=None):
        self.user = user
        self.device = device
        self.viewport = viewport
        self.base_url = base_url.rstrip("/")
        self.context = browser.new_context(base_url=self.base_url, **viewport.context_options())
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.context.add_init_script(CSP_REPORTER)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self._watch(self.page)

    # --- watching -------------------------------------------------------------------------------------
    def _watch(self, page: Page) -> None:
        def on_console(message):
            if message.type == "error":
                self.problems.append(f"console error on {page.url}: {message.text}")

        def on_page_error(error):
            self.problems.append(f"uncaught exception on {page.url}: {error}")

        def on_response(response):
            if response.status >= 500:
                self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

        def on_request_failed(request):
            failure = request.failure or ""
            # A navigation or download cancels pending requests (e.g. an htmx poll): not a fault.
            if "ERR_ABORTED" not in failure:
                self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)
        # data-confirm / data-sa-confirm ask window.confirm(); the person clicks OK.
        page.on("dialog", lambda dialog: dialog.accept())

    def check(self) -> None:
        """Fail on anything the pages reported since the last check."""
        problems, self.problems = self.problems, []
        assert not problems, f"{self.label}: the browser reported problems:\n" + "\n".join(problems)

    @property
    def label(self) -> str:
        return getattr(self.user, "username", None) or "anonymous"

    # --- moving around ------------------------------------------------------------------------------
    def open(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
        self.check()
        return self.page

    def login(self) -> Page:
        """The real log-in page: user name and password, then (for a user with a device) the 6-digit
        code page, ending on the home page."""
        page = self.open("/accounts/login/")
        page.locator("#id_username").fill(self.user.get_username())
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        if self.device is not None:
            page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
            self.check()
            page.locator("#id_token").fill(totp_code(self.device))
            page.get_by_role("button", name="验证并继续").click()
        page.wait_for_url(f"{self.base_url}/")
        expect(page.locator("h1")).to_contain_text(self.user.display_name)
        self.check()
        return page

    def click_through(self, target, *, expect_url=None):
        """Click a link or a submit button and wait for the page it leads to (a full page load, after
        any redirect)."""
        with self.page.expect_navigation():
            target.click()
        if expect_url is not None:
            self.page.wait_for_url(expect_url)
        self.check()
        return self.page

    # --- looking ------------------------------------------------------------------------------------
    def look(self, name: str, *, axe: bool = True) -> Path:
        """Screenshot the whole page and check its accessibility."""
        path = SCREENSHOT_DIR / self.viewport.name / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        self.assert_fits_width(name)
        if axe:
            self.assert_accessible(name)
        self.check()
        return path

    def assert_fits_width(self, name: str) -> None:
        """Nothing pushes the page wider than the screen (wide tables scroll inside .table-responsive)."""
        overflow = self.page.evaluate(OVERFLOW_PROBE)
        assert not overflow, (f"'{name}' is wider than the {self.viewport.width}px screen ({self.page.url}); "
                              f"elements past the right edge:\n" + "\n".join(overflow))

    def assert_accessible(self, name: str) -> None:
        # evaluate() runs in the page through the DevTools protocol, which the page's CSP does not
        # govern, so the strict policy stays on while axe is injected.
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        options = {"resultTypes": ["violations"],
                   "rules": {rule: {"enabled": False} for rule in AXE_DISABLED_RULES}}
        result = self.page.evaluate("options => window.axe.run(document, options)", options)
        # axe reads computed styles through element.style and leaves empty style="" attributes behind;
        # htmx would copy those while settling a swap, which the CSP (rightly) blocks. Leave the page
        # as the person had it.
        self.page.evaluate("() => document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))")
        blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, (f"axe: {len(blocking)} critical/serious violation(s) on '{name}' "
                              f"({self.viewport.name}, {self.page.url}):\n" + _describe(blocking))

    def close(self) -> None:
        self.context.close()


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
