"""The breaking-change checker (core/api/compat.py) on small schemas: each rule fails what it
should, and what a client survives (an added optional field, a new path, a renamed component)
passes."""

import json

import pytest
from django.core.management import CommandError, call_command

from core.api.compat import breaking_changes, major_version

JSON = "application/json"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def body(schema):
    return {"content": {JSON: {"schema": schema}}, "description": ""}


def base():
    """A small API: a list with a filter, a create, a detail, one error response."""
    query = {"in": "query", "name": "q", "schema": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1.0.0"},
        "paths": {
            "/items/": {
                "get": {
                    "operationId": "items_list",
                    "parameters": [query],
                    "security": [{"tokenAuth": []}, {}],
                    "responses": {
                        "200": body({"type": "array", "items": ref("Item")}),
                        "400": body(ref("Error")),
                    },
                },
                "post": {
                    "operationId": "items_create",
                    "requestBody": {"content": {JSON: {"schema": ref("ItemRequest")}}},
                    "security": [{"tokenAuth": []}],
                    "responses": {"201": body(ref("Item"))},
                },
            },
            "/items/{id}/": {
                "get": {
                    "operationId": "items_retrieve",
                    "parameters": [
                        {
                            "in": "path",
                            "name": "id",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {"in": "header", "name": "If-None-Match", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": body(ref("Item"))},
                }
            },
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "name": {"type": "string"},
                        "kind": ref("KindEnum"),
                        "made_on": {"type": "string", "format": "date"},
                        "precision": {"oneOf": [ref("PrecisionEnum"), ref("BlankEnum")]},
                        "owner": {"allOf": [ref("Owner")], "nullable": True},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["id", "name", "kind", "owner"],
                },
                "ItemRequest": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "maxLength": 100},
                        "kind": ref("KindEnum"),
                        "count": {"type": "integer", "nullable": True},
                        "note": {"type": "string"},
                        "label": {"oneOf": [{"type": "string", "maxLength": 10}, ref("NullEnum")]},
                    },
                    "required": ["name"],
                },
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
                "KindEnum": {"type": "string", "enum": ["statement", "fragment"]},
                "PrecisionEnum": {"type": "string", "enum": ["day", "month", "year"]},
                "BlankEnum": {"enum": [""]},
                "NullEnum": {"enum": [None]},
                "Error": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string", "enum": ["invalid"]},
                                "detail": {"type": "string"},
                            },
                            "required": ["code", "detail"],
                        },
                        {
                            "type": "object",
                            "properties": {"code": {"type": "string", "enum": ["invalid"]}},
                            "required": ["code"],
                        },
                    ]
                },
            }
        },
    }


def changed(mutate):
    """The breaking changes from the base API to the base API as `mutate` leaves it."""
    new = base()
    mutate(new)
    return breaking_changes(base(), new)


def schemas(api):
    return api["components"]["schemas"]


def item(api):
    return schemas(api)["Item"]["properties"]


def item_request(api):
    return schemas(api)["ItemRequest"]


def list_parameters(api):
    return api["paths"]["/items/"]["get"]["parameters"]


LIST_200 = "GET /items/ response 200 (application/json)"
CREATE_BODY = "POST /items/ request body (application/json)"

BREAKING = {
    "path removed": (
        lambda api: api["paths"].pop("/items/{id}/"),
        ["/items/{id}/: path removed"],
    ),
    "operation removed": (
        lambda api: api["paths"]["/items/"].pop("post"),
        ["POST /items/: operation removed"],
    ),
    "response field removed": (
        lambda api: item(api).pop("tags"),
        [f"{LIST_200}: [].tags: removed"],
    ),
    "response field type changed": (
        lambda api: item(api)["name"].update(type="integer"),
        [f"{LIST_200}: [].name: type changed from string to integer"],
    ),
    "response field widened to a union": (
        lambda api: item(api).update(name={"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        [f"{LIST_200}: [].name: type changed from string to integer or string"],
    ),
    "response field no longer required": (
        lambda api: schemas(api)["Item"]["required"].remove("kind"),
        [f"{LIST_200}: [].kind: no longer required (a client may rely on it)"],
    ),
    "response field may now be null": (
        lambda api: item(api)["name"].update(nullable=True),
        [f"{LIST_200}: [].name: may now be null"],
    ),
    "response field becomes write-only": (
        lambda api: item(api)["name"].update(writeOnly=True),
        [f"{LIST_200}: [].name: removed"],
    ),
    "response format changed": (
        lambda api: item(api)["made_on"].update(format="date-time"),
        [f"{LIST_200}: [].made_on: format changed from date to date-time"],
    ),
    # openapi-python-client's enums raise ValueError on a value they do not list; the same
    # enum in a request may grow.
    "response enum value added": (
        lambda api: schemas(api)["KindEnum"]["enum"].append("headline"),
        [f"{LIST_200}: [].kind: may now be 'headline', which the old enum lacks"],
    ),
    "response enum dropped": (
        lambda api: item(api).update(precision={"type": "string"}),
        [f"{LIST_200}: [].precision: no longer limited to '', 'day', 'month', 'year'"],
    ),
    "error response enum value added": (
        lambda api: [
            alternative["properties"]["code"]["enum"].append("blank")
            for alternative in schemas(api)["Error"]["oneOf"]
        ],
        [
            "GET /items/ response 400 (application/json): code: may now be 'blank', which the old "
            "enum lacks"
        ],
    ),
    "success response removed": (
        lambda api: api["paths"]["/items/"]["post"]["responses"].update(
            {"202": api["paths"]["/items/"]["post"]["responses"].pop("201")}
        ),
        ["POST /items/: response 201 removed"],
    ),
    "success media type removed": (
        lambda api: api["paths"]["/items/{id}/"]["get"]["responses"]["200"].update(
            content={"text/csv": {"schema": {"type": "string"}}}
        ),
        ["GET /items/{id}/ response 200 (application/json): no longer sent"],
    ),
    # The same enum in a response may shrink.
    "request enum value removed": (
        lambda api: schemas(api)["KindEnum"]["enum"].remove("fragment"),
        [f"{CREATE_BODY}: kind: no longer accepts 'fragment'"],
    ),
    "request enum imposed": (
        lambda api: item_request(api)["properties"]["note"].update(enum=["checked"]),
        [f"{CREATE_BODY}: note: now limited to 'checked'"],
    ),
    "new required request field": (
        lambda api: (
            item_request(api)["properties"].update(colour={"type": "string"}),
            item_request(api)["required"].append("colour"),
        ),
        [f"{CREATE_BODY}: colour: new required field"],
    ),
    "optional request field made required": (
        lambda api: item_request(api)["required"].append("note"),
        [f"{CREATE_BODY}: note: now required"],
    ),
    "request field removed": (
        lambda api: item_request(api)["properties"].pop("note"),
        [f"{CREATE_BODY}: note: no longer accepted"],
    ),
    "request field made read-only": (
        lambda api: item_request(api)["properties"]["note"].update(readOnly=True),
        [f"{CREATE_BODY}: note: no longer accepted"],
    ),
    "request field type narrowed": (
        lambda api: item_request(api)["properties"]["count"].update(type="boolean"),
        [f"{CREATE_BODY}: count: type changed from integer to boolean"],
    ),
    "request field no longer nullable": (
        lambda api: item_request(api)["properties"]["count"].pop("nullable"),
        [f"{CREATE_BODY}: count: no longer accepts null"],
    ),
    "request bound tightened": (
        lambda api: item_request(api)["properties"]["name"].update(maxLength=50, minLength=1),
        [
            f"{CREATE_BODY}: name: maxLength tightened from 100 to 50",
            f"{CREATE_BODY}: name: minLength tightened from 0 to 1",
        ],
    ),
    "request pattern added": (
        lambda api: item_request(api)["properties"]["note"].update(pattern="^[a-z]*$"),
        [f"{CREATE_BODY}: note: pattern changed from None to '^[a-z]*$'"],
    ),
    "request body made required": (
        lambda api: api["paths"]["/items/"]["post"]["requestBody"].update(required=True),
        ["POST /items/ request body: now required"],
    ),
    "request media type removed": (
        lambda api: api["paths"]["/items/"]["post"]["requestBody"].update(
            content={"multipart/form-data": {"schema": ref("ItemRequest")}}
        ),
        ["POST /items/ request body: application/json no longer accepted"],
    ),
    "new required parameter": (
        lambda api: list_parameters(api).append(
            {"in": "query", "name": "page", "required": True, "schema": {"type": "integer"}}
        ),
        ["GET /items/: new required parameter page (query)"],
    ),
    "parameter made required": (
        lambda api: list_parameters(api)[0].update(required=True),
        ["GET /items/: parameter q (query): now required"],
    ),
    "parameter removed": (
        lambda api: list_parameters(api).clear(),
        ["GET /items/: parameter q (query): removed"],
    ),
    "parameter type changed": (
        lambda api: list_parameters(api)[0].update(schema={"type": "integer"}),
        ["GET /items/: parameter q (query): type changed from string to integer"],
    ),
    "parameter serialized differently": (
        lambda api: list_parameters(api)[0].update(explode=False),
        [
            "GET /items/: parameter q (query): serialized differently (style, explode: "
            "('form', True) -> ('form', False))"
        ],
    ),
    "anonymous access withdrawn": (
        lambda api: api["paths"]["/items/"]["get"].update(security=[{"tokenAuth": []}]),
        ["GET /items/: now needs authentication"],
    ),
    "operationId changed": (
        lambda api: api["paths"]["/items/"]["get"].update(operationId="list_items"),
        [
            "GET /items/: operationId changed from 'items_list' to 'list_items' (generated "
            "clients name their functions after it)"
        ],
    ),
}


def _rename_and_inline(api):
    """Item becomes Thing, and KindEnum is written out where it is used."""
    text = json.dumps(api).replace('schemas/Item"', 'schemas/Thing"')
    api.clear()
    api.update(json.loads(text))
    schemas(api)["Thing"] = schemas(api).pop("Item")
    kind = schemas(api).pop("KindEnum")
    schemas(api)["Thing"]["properties"]["kind"] = dict(kind)
    schemas(api)["ItemRequest"]["properties"]["kind"] = dict(kind)


NOT_BREAKING = {
    "nothing changed": lambda api: None,
    "path added": lambda api: api["paths"].update(
        {"/other/": {"get": {"responses": {"200": body({"type": "string"})}}}}
    ),
    "operation added": lambda api: api["paths"]["/items/{id}/"].update(
        delete={"responses": {"204": {"description": ""}}}
    ),
    "optional response field added": lambda api: item(api).update(extra={"type": "string"}),
    "optional request field added": lambda api: item_request(api)["properties"].update(
        extra={"type": "string"}
    ),
    "optional parameter added": lambda api: list_parameters(api).append(
        {"in": "query", "name": "page", "schema": {"type": "integer"}}
    ),
    "request field no longer required": lambda api: item_request(api)["required"].clear(),
    "parameter no longer required": lambda api: api["paths"]["/items/{id}/"]["get"]["parameters"][
        0
    ].update(required=False),
    "request type widened": lambda api: item_request(api)["properties"].update(
        count={"type": "number", "nullable": True}
    ),
    "request bound loosened": lambda api: item_request(api)["properties"]["name"].update(
        maxLength=200
    ),
    "request enum value added": lambda api: item_request(api)["properties"].update(
        kind={"type": "string", "enum": ["statement", "fragment", "headline"]}
    ),
    "response enum value removed": lambda api: item(api).update(
        kind={"type": "string", "enum": ["statement"]}
    ),
    "response field no longer nullable": lambda api: item(api)["owner"].pop("nullable"),
    "response field made required": lambda api: schemas(api)["Item"]["required"].append("tags"),
    "error response removed": lambda api: api["paths"]["/items/"]["get"]["responses"].pop("400"),
    "anonymous access granted": lambda api: api["paths"]["/items/"]["post"].update(
        security=[{"tokenAuth": []}, {}]
    ),
    "component renamed and inlined": _rename_and_inline,
    "blank-or-enum as one enum": lambda api: item(api).update(
        precision={"type": "string", "enum": ["day", "month", "year", ""]}
    ),
    "nullable written as a union with NullEnum": lambda api: item(api).update(
        owner={"oneOf": [ref("Owner"), ref("NullEnum")]}
    ),
    # drf-spectacular writes a nullable reference as an allOf beside `nullable`.
    "nullable field written as a nullable allOf": lambda api: (
        schemas(api).update(Count={"type": "integer"}),
        item_request(api)["properties"].update(count={"allOf": [ref("Count")], "nullable": True}),
    ),
    "nullable string written without its NullEnum": lambda api: item_request(api)[
        "properties"
    ].update(label={"type": "string", "maxLength": 10, "nullable": True}),
    # Bounds and patterns bind what a client sends, not what it reads.
    "response bound and pattern added": lambda api: item(api)["name"].update(
        maxLength=10, pattern="^[a-z]+$"
    ),
    # A field is sure to come only when every alternative requires it: `detail` did not.
    "error alternatives merged into one": lambda api: schemas(api).update(
        Error={
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": ["invalid"]},
                "detail": {"type": "string"},
            },
            "required": ["code"],
        }
    ),
    "header name in another case": lambda api: api["paths"]["/items/{id}/"]["get"]["parameters"][
        1
    ].update(name="if-none-match"),
}


@pytest.mark.parametrize(("mutate", "expected"), BREAKING.values(), ids=BREAKING.keys())
def test_a_breaking_change_is_reported(mutate, expected):
    assert changed(mutate) == expected


@pytest.mark.parametrize("mutate", NOT_BREAKING.values(), ids=NOT_BREAKING.keys())
def test_a_change_a_client_survives_is_not_reported(mutate):
    assert changed(mutate) == []


def test_a_change_to_a_shared_component_is_reported_once_where_first_met():
    new = base()
    item(new).pop("tags")
    item(new).pop("made_on")
    assert breaking_changes(base(), new) == [
        f"{LIST_200}: [].made_on: removed",
        f"{LIST_200}: [].tags: removed",
    ]


def test_a_schema_that_contains_itself_is_compared_to_its_end():
    def tree(leaf_type):
        api = base()
        schemas(api)["Node"] = {
            "type": "object",
            "properties": {
                "leaf": {"type": leaf_type},
                "children": {"type": "array", "items": {"allOf": [ref("Node")]}},
            },
        }
        item(api)["tree"] = ref("Node")
        return api

    assert breaking_changes(tree("string"), tree("string")) == []
    assert breaking_changes(tree("string"), tree("integer")) == [
        f"{LIST_200}: [].tree.leaf: type changed from string to integer"
    ]


def test_a_union_that_contains_itself_ends():
    """A field that the alternatives of a union write differently is compared as their
    combination, once: were each level's combination new, two such fields would double the
    work at every level."""

    def graph(leaf_type):
        api = base()
        branch = {"type": "object", "properties": {"leaf": {"type": leaf_type}}}
        other = {"type": "object", "properties": {"leaf": {"type": leaf_type}}}
        for side in ("left", "right"):
            branch["properties"][side] = ref("Node")
            other["properties"][side] = {"allOf": [ref("Node")], "description": side}
        schemas(api)["Node"] = {"oneOf": [branch, other]}
        item(api)["graph"] = ref("Node")
        return api

    assert breaking_changes(graph("string"), graph("string")) == []
    assert breaking_changes(graph("string"), graph("integer")) == [
        f"{LIST_200}: [].graph.leaf: type changed from string to integer"
    ]


def test_a_schema_made_of_itself_ends():
    api = base()
    schemas(api)["Loop"] = {"anyOf": [{"type": "string"}, ref("Loop")]}
    item(api)["loop"] = ref("Loop")
    new = base()
    item(new)["loop"] = {"type": "string"}
    assert breaking_changes(api, new) == []
    assert breaking_changes(api, api) == []


def test_a_ref_to_nothing_is_an_error_not_a_pass():
    new = base()
    item(new)["owner"] = ref("Missing")
    with pytest.raises(ValueError, match="Missing"):
        breaking_changes(base(), new)


@pytest.mark.parametrize(
    ("version", "major"), [("1.0.0", 1), ("2.3", 2), ("10.0.1", 10), ("v3", 3)]
)
def test_major_version(version, major):
    assert major_version({"info": {"version": version}}) == major


@pytest.mark.parametrize("version", ["", "beta", "1a.0"])
def test_a_version_without_a_major_number_is_refused(version):
    with pytest.raises(ValueError, match="major version"):
        major_version({"info": {"version": version}})


def write(tmp_path, name, api):
    path = tmp_path / name
    path.write_text(json.dumps(api), encoding="utf-8")  # JSON is YAML
    return str(path)


def without_tags(version):
    api = base()
    api["info"]["version"] = version
    item(api).pop("tags")
    return api


def test_command_passes_a_compatible_schema(tmp_path, capsys):
    new = base()
    item(new)["extra"] = {"type": "string"}
    call_command(
        "check_schema_compat", write(tmp_path, "old.yaml", base()), write(tmp_path, "new.yaml", new)
    )
    assert capsys.readouterr().out.startswith("No breaking change from ")


def test_command_fails_a_breaking_change_within_a_major_version(tmp_path, capsys):
    old, new = (
        write(tmp_path, "old.yaml", base()),
        write(tmp_path, "new.yaml", without_tags("1.1.0")),
    )
    with pytest.raises(CommandError, match=r"1 breaking change\(s\) .* \(1\.0\.0 -> 1\.1\.0\)"):
        call_command("check_schema_compat", old, new)
    assert f"{LIST_200}: [].tags: removed" in capsys.readouterr().out


def test_command_allows_a_breaking_change_with_a_new_major_version(tmp_path, capsys):
    old, new = (
        write(tmp_path, "old.yaml", base()),
        write(tmp_path, "new.yaml", without_tags("2.0.0")),
    )
    call_command("check_schema_compat", old, new)
    out = capsys.readouterr().out
    assert f"{LIST_200}: [].tags: removed" in out
    assert "allowed by the new major version (1.0.0 -> 2.0.0)" in out


def test_command_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "check_schema_compat", str(tmp_path / "gone.yaml"), write(tmp_path, "new.yaml", base())
        )


NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}


@pytest.mark.parametrize(
    "nullable_form",
    [
        {"allOf": [{"type": "string", "enum": ["a", "b"]}], "nullable": True},
        {"oneOf": [{"type": "string", "enum": ["a", "b"]}, NULL_ONLY]},
    ],
)
def test_a_nullable_enum_written_either_way_is_the_same_shape(nullable_form):
    """core.api.schema writes "X or null" as a oneOf with a null-only branch, whose `type` is
    object but admits only null: no type change from the allOf form."""

    def api_with(schema):
        api = base()
        item(api)["grade"] = schema
        schemas(api)["Item"].setdefault("required", []).append("grade")
        return api

    old = api_with({"allOf": [{"type": "string", "enum": ["a", "b"]}], "nullable": True})
    assert breaking_changes(old, api_with(nullable_form)) == []
    narrowed = api_with({"oneOf": [{"type": "integer"}, NULL_ONLY]})
    assert breaking_changes(old, narrowed), "a real type change is still reported"
