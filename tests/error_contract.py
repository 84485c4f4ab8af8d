"""Every error the suite sees the API send is one its schema documents.

A pytest plugin (loaded by tests/conftest.py): it records each error answer of /api/ (status
and code, and the operation it answered) while the tests run, whoever sends it (a view, a
middleware, the fuzzer, a live server), and fails the run if the committed schema does not
list the code, the status under that operation, or the code under that status there. A
generated client turns an undocumented code into an exception ("'unique' is not a valid
ErrorCodeEnum").
"""

import json
import re
from pathlib import Path

import pytest
import yaml

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi" / "v1.yaml"

observed: set[tuple[str, str, int, str]] = set()


# Recorded for an error answer of /api/ that is not in the error format at all (an HTML page,
# DRF's own {"detail": ...}): no code of ErrorCodeEnum, so the run fails naming it.
NOT_THE_ERROR_FORMAT = "<not the error format>"


def _record(request, response):
    if response.status_code < 400 or not request.path.startswith("/api/"):
        return
    if getattr(response, "streaming", False):
        return
    answer = (request.method, request.path, response.status_code)
    body = None
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content)
    if not isinstance(body, dict) or not body.get("errors"):
        observed.add((*answer, NOT_THE_ERROR_FORMAT))
        return
    for error in body["errors"]:
        observed.add((*answer, error["code"]))


@pytest.fixture(scope="session", autouse=True)
def _record_error_answers():
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response

    def get_response(self, request):
        response = original(self, request)
        _record(request, response)
        return response

    BaseHandler.get_response = get_response
    yield
    BaseHandler.get_response = original


def _operations(schema):
    """(regex of the path, its operations) for each documented path."""
    # A literal path (/quotes/random/) before a template that also matches it (/quotes/{id}/).
    for template, operations in sorted(schema["paths"].items(), key=lambda p: p[0].count("{")):
        parts = re.split(r"\{[^}]+\}", template)
        yield re.compile("[^/]+".join(map(re.escape, parts)) + r"\Z"), operations


def undocumented(schema, answers):
    """The answers (method, path, status, code) that `schema` does not document: a code not
    in ErrorCodeEnum, a status the operation does not list, a code not among the status's
    `x-error-codes` there."""
    every_code = set(schema["components"]["schemas"]["ErrorCodeEnum"]["enum"])
    paths = list(_operations(schema))
    missing = set()
    for method, path, status, code in answers:
        if code not in every_code:
            missing.add(f"{code}: not in ErrorCodeEnum")
        for pattern, operations in paths:
            if not pattern.match(path):
                continue
            operation = operations.get(method.lower())
            if operation is None:
                break  # a method the path does not take: its 405 is checked as a code only
            where = f"{method} {pattern.pattern}"
            response = operation["responses"].get(str(status))
            if response is None:
                missing.add(f"{status}: not a response of {where}")
            elif code not in response.get("x-error-codes", ()):
                missing.add(f"{status} {code}: not in the x-error-codes of {where}")
            break
    return sorted(missing)


def pytest_sessionfinish(session):
    if not observed:
        return
    missing = undocumented(yaml.safe_load(SCHEMA.read_text(encoding="utf-8")), observed)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_sep(
            "=", "FAILED: errors the API sent that docs/openapi/v1.yaml does not document", red=True
        )
        for line in missing:
            reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
