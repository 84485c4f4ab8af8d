"""The committed schema breaks no client of the last released one, unless its major version
says so (the release procedure: docs/openapi/README.md)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from core.api.compat import breaking_changes, load_schema, major_version

OPENAPI = Path(settings.BASE_DIR) / "docs" / "openapi"
COMMITTED = OPENAPI / "v1.yaml"
RELEASED = OPENAPI / "released"
RELEASE_NAME = re.compile(r"(\d+)\.(\d+)\.(\d+)\.yaml")


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def last_release():
    """The newest file of docs/openapi/released/, by version (1.10.0 after 1.9.0)."""
    releases = sorted(
        (path for path in RELEASED.glob("*.yaml") if RELEASE_NAME.fullmatch(path.name)),
        key=lambda path: version_key(path.stem),
    )
    assert releases, (
        f"No released schema in {RELEASED.relative_to(settings.BASE_DIR)}/ (a file named "
        "MAJOR.MINOR.PATCH.yaml), so there is nothing to guard compatibility with. Release "
        "the schema as docs/openapi/README.md says: copy docs/openapi/v1.yaml to "
        "docs/openapi/released/<its info.version>.yaml and commit it."
    )
    return releases[-1]


@pytest.fixture(scope="module")
def released():
    return load_schema(last_release())


@pytest.fixture(scope="module")
def committed():
    return load_schema(COMMITTED)


def test_no_breaking_change_since_the_last_release_without_a_new_major_version(released, committed):
    changes = breaking_changes(released, committed)
    old, new = released["info"]["version"], committed["info"]["version"]
    listed = "\n".join(f"  - {change}" for change in changes)
    assert not changes or major_version(committed) > major_version(released), (
        f"docs/openapi/v1.yaml ({new}) breaks clients of the released schema {old}:\n"
        f"{listed}\nUndo the change, or make it a new major version (docs/openapi/README.md)."
    )


def test_the_release_file_holds_the_version_it_is_named_after(released):
    assert released["info"]["version"] == last_release().stem


def test_the_committed_version_is_not_older_than_the_last_release(released, committed):
    assert version_key(committed["info"]["version"]) >= version_key(released["info"]["version"])


def test_the_guard_sees_a_breaking_change_in_the_real_schema(committed):
    """Without the released file: the checker finds nothing between the schema and itself,
    and finds a removed operation and a removed response field in it."""
    assert breaking_changes(committed, committed) == []
    mutated = load_schema(COMMITTED)
    del mutated["paths"]["/api/v1/quotes/random/"]
    quote = mutated["components"]["schemas"]["Quote"]["properties"]
    del quote["text"]
    changes = breaking_changes(committed, mutated)
    assert "/api/v1/quotes/random/: path removed" in changes
    assert any(change.endswith(("].text: removed", ": text: removed")) for change in changes)
