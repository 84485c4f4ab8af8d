"""The Content-Security-Policy in a real browser (Debian's chromium driven by Playwright): the
docs, the admin and the browsable API work under it, and chromium reports no violation on any
of them; an inline script, injected on purpose, is refused and reported, so the check can fail.

A violation is seen twice over: the `securitypolicyviolation` event (a listener installed
before any page script runs) and chromium's console message ("Refused to ... because it
violates the following Content Security Policy directive").
"""

from io import StringIO
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.browser.test_admin_in_browser import (
    ARTICLE,
    PASSWORD,
    browser,  # noqa: F401  (the fixture)
    login,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""


@pytest.fixture
def csp_page(browser, live_server):  # noqa: F811
    """A page that records every CSP violation (`page.violations`) and may only reach the
    test server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    server = urlparse(live_server.url).netloc
    blocked = []
    violations = []

    def only_the_test_server(route):
        if urlparse(route.request.url).netloc == server:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_test_server)
    context.expose_binding("reportCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(60_000)  # the first docs page waits for the schema (seconds)

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", on_console)
    page.violations = violations
    yield page
    context.close()
    assert blocked == [], f"the pages asked for other hosts: {blocked}"


def settle(page):
    """Let late scripts, styles and workers load, so that their violations are reported."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def visit(page, url, ready):
    """Open `url`, wait for the selector `ready` (the page has rendered), and return the CSP
    header it was served with."""
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_selector(ready)
    settle(page)
    return response.header_value("content-security-policy")


def test_an_injected_inline_script_is_refused_and_reported(csp_page, live_server):
    """The check itself: without it, a page full of violations would pass as clean."""
    visit(csp_page, f"{live_server.url}/admin/login/", "#id_username")
    assert csp_page.violations == [], "\n".join(csp_page.violations)
    csp_page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineScriptRan = true;";
          document.body.appendChild(script);
        }"""
    )
    settle(csp_page)
    assert csp_page.evaluate("() => window.inlineScriptRan === undefined"), "it ran"
    assert any("script-src" in v and "inline" in v for v in csp_page.violations)
    assert any(v.startswith("console: ") for v in csp_page.violations)


def test_swagger_ui_renders_its_operations_with_no_violation(csp_page, live_server):
    policy = visit(csp_page, f"{live_server.url}/api/v1/docs/", ".opblock-summary-path")
    assert "script-src 'self'" in policy
    assert csp_page.locator(".opblock-summary-path").count() > 40
    # An operation opens, with its parameters: the UI's scripts are running.
    csp_page.click("#operations-quotes-quotes_list .opblock-summary")
    csp_page.wait_for_selector("#operations-quotes-quotes_list .parameters")
    settle(csp_page)
    assert csp_page.violations == [], "\n".join(csp_page.violations)


def test_redoc_renders_the_api_with_no_violation(csp_page, live_server):
    visit(csp_page, f"{live_server.url}/api/v1/redoc/", "h1")
    assert "Quote database API" in csp_page.inner_text("h1")
    assert csp_page.locator("[data-section-id^='tag/quotes']").count() > 0
    # Its search (a worker) finds an operation.
    csp_page.fill("input[placeholder='Search...']", "random")
    csp_page.wait_for_selector("[data-role='search:results'] li")
    settle(csp_page)
    assert csp_page.violations == [], "\n".join(csp_page.violations)


def test_the_admin_pages_show_no_violation(csp_page, live_server):
    from extraction import intake
    from quotes.models import Quote

    call_command("seed", verbosity=0)
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    imported = intake.import_text(ARTICLE, extract=True)
    quote = Quote.objects.order_by("pk").first()
    login(csp_page, live_server, "root", PASSWORD)
    settle(csp_page)

    pages = {
        "/admin/": "#site-name",
        "/admin/quotes/quote/": "#result_list",
        f"/admin/quotes/quote/{quote.pk}/change/": ".provenance mark",
        f"/admin/sources/source/{imported.source.pk}/candidates/": "#review-text mark.pending",
        "/admin/sources/source/import/": "#import-article-form",
    }
    for path, ready in pages.items():
        policy = visit(csp_page, f"{live_server.url}{path}", ready)
        assert "script-src 'self'" in (policy or ""), path
        assert csp_page.violations == [], (path, csp_page.violations)
        if path.endswith("/candidates/"):
            # The review queue's own stylesheet applies (it was inline before the policy).
            review_text = csp_page.locator("#review-text")
            assert review_text.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    # The admin's scripts run: the autocomplete widget of the change form is drawn by them.
    visit(csp_page, f"{live_server.url}/admin/quotes/quote/{quote.pk}/change/", ".select2")
    assert csp_page.violations == [], "\n".join(csp_page.violations)


def test_the_browsable_api_shows_no_violation(csp_page, live_server):
    call_command("seed", verbosity=0)
    call_command("create_researcher", "ada", password=PASSWORD, stdout=StringIO())
    login(csp_page, live_server, "ada", PASSWORD)
    visit(csp_page, f"{live_server.url}/api/v1/quotes/?format=api", ".response-info")
    assert "Quote List" in csp_page.inner_text(".breadcrumb")
    # Its scripts run: the format menu opens (bootstrap's dropdown, from jQuery).
    csp_page.click(".format-selection .dropdown-toggle")
    csp_page.wait_for_selector(".format-selection.open .format-option")
    settle(csp_page)
    assert csp_page.violations == [], "\n".join(csp_page.violations)
