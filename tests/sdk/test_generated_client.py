"""A Python SDK generated from the committed schema, used against a live server.

What an SDK user does: list quotes with a filter and follow the pages, fetch a speaker, create
and update a quote with a token, and get a 400 they can read for a span that does not match.
"""

import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi" / "v1.yaml"
# A live server needs committed data: a transactional database.
pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = "project_name_override: quotedb-client\npackage_name_override: quotedb_client\n"


@pytest.fixture(scope="session")
def sdk(tmp_path_factory):
    """Generate the client with openapi-python-client and import it."""
    root = tmp_path_factory.mktemp("sdk")
    config = root / "config.yaml"
    config.write_text(CONFIG + "post_hooks: []\n")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(SCHEMA),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(root / "quotedb_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    import quotedb_client  # generated just now

    return quotedb_client


@pytest.fixture
def token():
    call_command("seed", verbosity=0)
    out = StringIO()
    call_command("create_researcher", "sdk-user", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def cursor_of(url):
    return parse_qs(urlparse(url).query)["cursor"][0] if url else None


def test_list_filter_and_follow_pagination(sdk, live_server, token):
    from quotedb_client import Client
    from quotedb_client.api.quotes import quotes_list

    client = Client(base_url=live_server.url)
    texts, cursor, pages = [], None, 0
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = quotes_list.sync(
            client=client, speaker=["dmitry-peskov"], page_size=2, ordering="start", **kwargs
        )
        pages += 1
        texts += [quote.text for quote in page.results]
        assert all(quote.speaker.slug == "dmitry-peskov" for quote in page.results)
        cursor = cursor_of(page.next_)
        if cursor is None:
            break
    assert pages == 3
    assert len(texts) == 5
    assert texts[0] == "direct confrontation"


def test_fetch_a_speaker(sdk, live_server, token):
    from quotedb_client import Client
    from quotedb_client.api.speakers import speakers_list, speakers_retrieve

    client = Client(base_url=live_server.url)
    [found] = speakers_list.sync(client=client, q="Makron").results
    speaker = speakers_retrieve.sync(client=client, id=found.id)
    assert speaker.name == "Emmanuel Macron"
    assert "Makron" in speaker.aliases
    assert speaker.quote_count == 1


def test_create_and_update_a_quote_with_a_token(sdk, live_server, token):
    from quotedb_client import AuthenticatedClient
    from quotedb_client.api.quotes import quotes_create, quotes_partial_update
    from quotedb_client.api.sources import sources_list, sources_retrieve
    from quotedb_client.api.speakers import speakers_list
    from quotedb_client.models import PatchedQuoteRequest, QuoteKindEnum, QuoteRequest

    client = AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")
    [listed] = sources_list.sync(client=client, q="Dominating").results
    source = sources_retrieve.sync(client=client, id=listed.id)
    [speaker] = speakers_list.sync(client=client, slug="russian-foreign-ministry").results
    start = source.text.index("dominate global affairs")
    request = QuoteRequest(
        text="dominate global affairs",
        kind=QuoteKindEnum.FRAGMENT,
        speaker=speaker.id,
        source=source.id,
        start=start,
        end=start + len("dominate global affairs"),
    )
    created = quotes_create.sync_detailed(client=client, body=request)
    assert created.status_code == 201, created.content
    quote = created.parsed
    assert quote.context_before.endswith("<u>")
    assert quote.speaker.slug == "russian-foreign-ministry"

    patch = PatchedQuoteRequest(note="Underlined in the original: a link, not a quotation.")
    updated = quotes_partial_update.sync_detailed(client=client, id=quote.id, body=patch)
    assert updated.status_code == 200, updated.content
    assert updated.parsed.note.startswith("Underlined")


def test_a_span_that_does_not_match_is_a_readable_400(sdk, live_server, token):
    from quotedb_client import AuthenticatedClient
    from quotedb_client.api.quotes import quotes_list, quotes_partial_update
    from quotedb_client.models import PatchedQuoteRequest

    client = AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")
    [quote] = quotes_list.sync(client=client, q="obsolete").results
    response = quotes_partial_update.sync_detailed(
        client=client, id=quote.id, body=PatchedQuoteRequest(text="outdated")
    )
    assert response.status_code == 400
    [error] = response.parsed.errors
    assert error.attr == "text"
    assert "source has “…obsolete…”" in error.detail
