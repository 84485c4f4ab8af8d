"""A TypeScript client (openapi-typescript's types, openapi-fetch's calls) generated from the
committed schema, type-checked with tsc and run by node against a live server.

The node tools come from npm, pinned in .ci/package-lock.json; .ci/run installs them and sets
REQUIRE_NODE_TOOLS=1, so that there this test runs and never skips.
"""

import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

BASE = Path(settings.BASE_DIR)
SCHEMA = BASE / "docs" / "openapi" / "v1.yaml"
WALK = Path(__file__).parent / "typescript"
TOOLS = Path(os.environ.get("NODE_TOOLS", BASE / ".ci" / "node_modules"))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The walk compiled against types generated from the committed schema."""
    if not (TOOLS / ".bin" / "tsc").exists():
        message = f"no node tools in {TOOLS}: run (cd .ci && npm ci)"
        if os.environ.get("REQUIRE_NODE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("typescript")
    for name in ("walk.ts", "tsconfig.json"):
        shutil.copy(WALK / name, root / name)
    (root / "package.json").write_text('{"type": "module", "private": true}\n')
    (root / "node_modules").symlink_to(TOOLS)

    def run(*command):
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    run(str(TOOLS / ".bin" / "openapi-typescript"), str(SCHEMA), "-o", "schema.d.ts")
    run(str(TOOLS / ".bin" / "tsc"), "-p", ".")
    return root


def test_a_researchers_walk_in_typescript(built, live_server):
    call_command("seed", verbosity=0)
    out = StringIO()
    call_command("create_researcher", "ts-user", stdout=out, stderr=StringIO())
    result = subprocess.run(
        ["node", str(built / "build" / "walk.js")],
        env={**os.environ, "BASE_URL": live_server.url, "TOKEN": out.getvalue().strip()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["quotes"] == 5
    assert summary["pages"] == 3
    assert summary["refused"] == "precondition_failed"


def test_the_types_catch_a_misuse(built):
    """tsc really checks the walk against the schema: a field that does not exist fails."""
    wrong = built / "wrong.ts"
    wrong.write_text(
        'import type { components } from "./schema.js";\n'
        'const quote = {} as components["schemas"]["Quote"];\n'
        "console.log(quote.said_by);\n"
    )
    result = subprocess.run(
        [
            *(str(TOOLS / ".bin" / "tsc"), "--noEmit", "--strict", "--module", "NodeNext"),
            *("--moduleResolution", "NodeNext", "wrong.ts"),
        ],
        cwd=built,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "said_by" in result.stdout
