"""Every HTML page carries the Content-Security-Policy, which allows no inline script and no
other origin; our own templates hold no inline script or style; the browsable API is off in
production unless DJANGO_BROWSABLE_API turns it on. (In a real browser:
tests/browser/test_csp_in_browser.py.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from extraction import intake
from quotes.models import Quote
from tests.browser.test_admin_in_browser import ARTICLE
from tests.config.test_settings import run_settings

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "s" * 50,
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
}


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def check_policy(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name, values in policy.items():
        assert not any(v.startswith(("http:", "https:", "*")) for v in values), (name, values)


@pytest.fixture
def pages(db):
    """The HTML pages of the app: (path, client) pairs."""
    from django.core.management import call_command

    call_command("seed", verbosity=0)
    anonymous = Client()
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    source = intake.import_text(ARTICLE, extract=True).source
    quote = Quote.objects.order_by("pk").first()
    return [
        ("/api/v1/docs/", anonymous),
        ("/api/v1/redoc/", anonymous),
        ("/admin/login/", anonymous),
        ("/admin/", admin),
        ("/admin/quotes/quote/", admin),
        (f"/admin/quotes/quote/{quote.pk}/change/", admin),
        ("/admin/quotes/quote/add/", admin),
        (f"/admin/quotes/quote/{quote.pk}/history/", admin),
        (f"/admin/sources/source/{source.pk}/candidates/", admin),
        ("/admin/sources/source/import/", admin),
        ("/admin/axes/accessattempt/", admin),
        ("/api/v1/quotes/?format=api", anonymous),
        ("/api/v1/", anonymous),  # a browser's Accept: the browsable API (in development)
    ]


def test_every_html_page_carries_the_policy(pages):
    for path, client in pages:
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html"), path
        check_policy(response)


def test_the_swagger_ui_start_up_script_is_served_as_a_script(db):
    page = Client().get("/api/v1/docs/").content.decode()
    assert '<script src="/api/v1/docs/?script="></script>' in page
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / app / "templates" for app in settings.INSTALLED_APPS]
OUR_TEMPLATES = sorted(
    path for directory in TEMPLATE_DIRS if directory.is_dir() for path in directory.rglob("*.html")
)
# An executed <script> (with content, or of a JavaScript type), an event handler, javascript:.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=|javascript:",
    re.IGNORECASE,
)


def test_our_templates_have_no_inline_script_or_style():
    assert len(OUR_TEMPLATES) >= 8
    for path in OUR_TEMPLATES:
        text = path.read_text()
        assert not INLINE_SCRIPT.search(text), f"{path}: move the script to a static .js file"
        assert "<style" not in text, f"{path}: use a stylesheet"
        assert "style=" not in text, f"{path}: use a stylesheet"


def test_the_json_api_answers_without_needing_the_policy(db):
    response = Client().get("/api/v1/quotes/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


# -- the browsable API switch ----------------------------------------------------------------

RENDERERS = (
    "from django.conf import settings;"
    "print('BrowsableAPIRenderer' in str(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']))"
)
# What a browser gets from the API root (no database needed): HTML or JSON.
BROWSER_GETS = (
    "from django.test import Client;"
    "r = Client().get('/api/v1/', HTTP_ACCEPT='text/html,application/xhtml+xml,*/*;q=0.8');"
    "print(r.status_code, r['Content-Type'])"
)


@pytest.mark.parametrize(
    ("env", "browsable"),
    [
        ({}, "True"),  # development: on
        ({"DJANGO_BROWSABLE_API": "0"}, "False"),
        (PRODUCTION, "False"),  # production: off
        ({**PRODUCTION, "DJANGO_BROWSABLE_API": "1"}, "True"),  # unless turned on
    ],
    ids=["debug", "debug-turned-off", "production", "production-turned-on"],
)
def test_the_browsable_api_is_off_in_production_unless_turned_on(env, browsable):
    result = run_settings(env, code=RENDERERS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == browsable


@pytest.mark.parametrize(
    ("env", "content_type"),
    [
        (PRODUCTION, "application/json"),
        ({**PRODUCTION, "DJANGO_BROWSABLE_API": "1"}, "text/html; charset=utf-8"),
    ],
    ids=["production", "production-turned-on"],
)
def test_a_browser_gets_json_in_production(env, content_type):
    result = run_settings(env, code=BROWSER_GETS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"200 {content_type}"
