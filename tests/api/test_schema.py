"""The OpenAPI schema is a product: valid, committed, and changed only on purpose."""

import io
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi" / "v1.yaml"


@pytest.fixture(scope="module")
def generated():
    out = io.StringIO()
    # --validate checks against the OpenAPI 3.0 meta-schema; --fail-on-warn turns any warning
    # of the generator (an untyped field, an unknown filter) into a failure.
    call_command("spectacular", validate=True, fail_on_warn=True, stdout=out)
    return out.getvalue()


def test_generated_schema_matches_the_committed_one(generated):
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "The API schema changed. If that is deliberate, run `make schema` and commit "
        "docs/openapi/v1.yaml; a breaking change also needs a new API version."
    )


def test_every_operation_is_described_and_documents_its_errors(generated):
    schema = yaml.safe_load(generated)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            assert operation.get("description") or operation.get("summary"), name
            codes = set(operation["responses"])
            assert {"500", "503"} <= codes, name
            if method in {"post", "put", "patch"}:
                assert {"400", "401", "403", "409"} <= codes, name
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorResponse", (name, code, ref)
                    assert response["x-error-codes"], (name, code)


def test_error_codes_are_one_enum_and_the_error_components_few(generated):
    schema = yaml.safe_load(generated)
    schemas = schema["components"]["schemas"]
    listed = {
        code
        for operations in schema["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        for code in response.get("x-error-codes", ())
    }
    assert listed == set(schemas["ErrorCodeEnum"]["enum"])
    assert {"unique", "unique_together", "too_many_parameters", "not_found"} <= listed
    assert sorted(name for name in schemas if "Error" in name) == [
        "Error",
        "ErrorCodeEnum",
        "ErrorResponse",
        "ErrorTypeEnum",
    ]


def test_metadata_a_client_generator_and_the_docs_use(generated):
    schema = yaml.safe_load(generated)
    assert schema["info"]["license"]["url"].startswith("https://")
    tags = [tag["name"] for tag in schema["tags"]]
    assert tags[0] == "quotes"
    assert all(tag.get("description") for tag in schema["tags"])
    used = {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation["tags"]
    }
    assert used == set(tags), "every tag used is defined, and every one defined is used"


def test_every_parameter_is_described(generated):
    schema = yaml.safe_load(generated)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])


def test_auth_schemes_are_documented_and_reads_are_anonymous(generated):
    schema = yaml.safe_load(generated)
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    assert {} in schema["paths"]["/api/v1/quotes/"]["get"]["security"]
    assert {} not in schema["paths"]["/api/v1/quotes/"]["post"]["security"]


def test_schema_endpoint_serves_it(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3.0.3" in response.content


@pytest.mark.parametrize(
    ("url", "asset"),
    [
        ("/api/v1/docs/", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/v1/redoc/", "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ],
)
def test_docs_pages_load_their_assets_from_us_not_a_cdn(client, db, url, asset):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/static/{asset}" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "no asset from another host"
    static = client.get(f"/static/{asset}")
    assert static.status_code == 200


def test_the_live_schema_is_the_committed_one_with_an_installable_version(anonymous, db):
    response = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    live = yaml.safe_load(response.content)
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert (
        live["info"]["version"]
        == committed["info"]["version"]
        == settings.SPECTACULAR_SETTINGS["VERSION"]
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", live["info"]["version"])
    assert (
        live["servers"]
        == committed["servers"]
        == [{"url": "/", "description": "The server that serves this schema."}]
    )
    assert live["paths"].keys() == committed["paths"].keys()
