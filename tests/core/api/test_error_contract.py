"""The check that every error the suite sees is documented (tests/error_contract.py)."""

from tests.error_contract import undocumented

SCHEMA = {
    "paths": {
        "/api/v1/quotes/{id}/": {
            "get": {"responses": {"200": {}, "404": {"x-error-codes": ["not_found"]}}},
            "patch": {
                "responses": {
                    "200": {},
                    "400": {"x-error-codes": ["invalid", "required"]},
                    "404": {"x-error-codes": ["not_found"]},
                }
            },
        }
    },
    "components": {
        "schemas": {"ErrorCodeEnum": {"enum": ["invalid", "not_found", "required", "unique"]}}
    },
}


def test_documented_answers_pass():
    answers = {
        ("PATCH", "/api/v1/quotes/7/", 400, "invalid"),
        ("GET", "/api/v1/quotes/7/", 404, "not_found"),
        ("GET", "/api/v1/nowhere/", 404, "not_found"),  # no operation: the enum only
    }
    assert undocumented(SCHEMA, answers) == []


def test_a_code_of_no_error_is_reported():
    answers = {("GET", "/api/v1/nowhere/", 404, "teapot")}
    assert undocumented(SCHEMA, answers) == ["teapot: not in ErrorCodeEnum"]


def test_a_code_the_response_does_not_list_is_reported():
    [problem] = undocumented(SCHEMA, {("PATCH", "/api/v1/quotes/7/", 400, "unique")})
    assert problem.startswith("400 unique: not in the x-error-codes of PATCH /api/v1/quotes/")


def test_a_status_the_operation_does_not_list_is_reported():
    [problem] = undocumented(SCHEMA, {("GET", "/api/v1/quotes/7/", 400, "invalid")})
    assert problem.startswith("400: not a response of GET /api/v1/quotes/")


def test_a_literal_path_is_matched_before_a_template():
    schema = {
        "paths": {
            **SCHEMA["paths"],
            "/api/v1/quotes/random/": {
                "get": {"responses": {"400": {"x-error-codes": ["invalid"]}}}
            },
        },
        "components": SCHEMA["components"],
    }
    # /quotes/{id}/ documents no 400 for GET; /quotes/random/ does.
    assert undocumented(schema, {("GET", "/api/v1/quotes/random/", 400, "invalid")}) == []
