"""Breaking changes between two OpenAPI 3 schemas: what a client written against the old one
would trip over in the new one. The rules, and why each is one: docs/openapi/README.md.

Schemas are compared by shape, never by component name: inlining a component, renaming it or
sharing it between operations changes nothing for a client that sends and reads JSON.
"""

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST, RESPONSE = "request", "response"
# A request bound may only be loosened: a lower maximum or a higher minimum refuses old input.
UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum")
LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum")
# An absent lower bound: 0 for sizes, no limit for numbers.
LOWER_DEFAULTS = {"minLength": 0, "minItems": 0, "minProperties": 0}
# Fifty times what this API's schema needs: more means a schema that nests itself without
# end, which is refused rather than compared for ever or in part.
MAX_COMPARISONS = 100_000
MAX_ALTERNATIVES = 1_000  # forty times the widest oneOf this API's schema has had
PYTHON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def load_schema(path):
    """The schema in a YAML (or JSON) file, as plain dicts and lists."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with Path(path).open(encoding="utf-8") as handle:
        try:
            schema = yaml.load(handle, Loader=loader)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path} is not YAML: {exc}") from exc
    if not isinstance(schema, dict) or "paths" not in schema:
        raise ValueError(f"{path} is not an OpenAPI schema (no paths)")
    return schema


def major_version(schema):
    """The major version of a schema's info.version ("1.4.2" -> 1)."""
    version = str(schema.get("info", {}).get("version", ""))
    match = re.match(r"v?(\d+)(\.|$)", version)
    if not match:
        raise ValueError(f"info.version {version!r} does not start with a major version number")
    return int(match.group(1))


def breaking_changes(old, new):
    """Every change from the `old` schema to the `new` one that can break an existing client,
    each as a sentence naming the operation and the field; empty when there is none."""
    diff = _Diff(old, new)
    diff.compare_paths()
    return sorted(set(diff.changes))


@dataclass(frozen=True)
class _Shape:
    """What a schema lets a value be, with allOf, oneOf and anyOf folded in."""

    types: frozenset | None = None  # JSON types besides null; None: any type
    nullable: bool = False
    enum: frozenset | None = None  # the non-null values allowed; None: no list
    format: str | None = None
    pattern: str | None = None
    bounds: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)  # name -> raw (unresolved) schema
    required: frozenset = frozenset()
    items: dict | None = None
    additional: dict | None = None  # the schema of additionalProperties, when it has one
    read_only: bool = False
    write_only: bool = False

    @property
    def null_only(self):
        return self.types == frozenset() and self.enum == frozenset()

    @property
    def is_object(self):
        return bool(self.properties) or (self.types is not None and "object" in self.types)


def _resolve(doc, node):
    """Follow a chain of local $refs to the node they point at."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ValueError(f"cannot resolve $ref {ref!r}: only local, acyclic refs")
        seen.add(ref)
        node = doc
        for part in ref[2:].split("/"):
            try:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            except (KeyError, TypeError):
                raise ValueError(f"$ref {ref!r} points at nothing") from None
    return node


def _accepts(types, json_type):
    """Whether a value of `json_type` is among `types` (an integer is a number)."""
    return json_type in types or (json_type == "integer" and "number" in types)


def _covers(wide, narrow):
    """Whether every value type of `narrow` is one of `wide`."""
    if wide is None:
        return True
    return narrow is not None and all(_accepts(wide, t) for t in narrow)


def _type_of(value):
    return next((name for kind, name in PYTHON_TYPES if isinstance(value, kind)), "object")


def _own_shape(schema):
    """The shape a schema's own keywords give, before its allOf, oneOf and anyOf."""
    declared = schema.get("type")
    declared = [declared] if isinstance(declared, str) else declared  # 3.1 allows a list
    nullable = schema.get("nullable") is True or "null" in (declared or [])
    types = None if declared is None else frozenset(declared) - {"null"}
    enum = None
    if "enum" in schema:
        values = schema["enum"]
        nullable = nullable or None in values
        enum = frozenset(value for value in values if value is not None)
        if types is None:  # drf-spectacular's BlankEnum and NullEnum carry no type
            types = frozenset(_type_of(value) for value in enum)
        elif not enum:
            # Null alone (`{type: object, nullable: true, enum: [null]}`, the null branch of a
            # nullable reference): its `type` admits no value but null.
            types = frozenset()
    additional = schema.get("additionalProperties")
    return _Shape(
        types=types,
        nullable=nullable,
        enum=enum,
        format=schema.get("format"),
        pattern=schema.get("pattern"),
        bounds={key: schema[key] for key in UPPER_BOUNDS + LOWER_BOUNDS if key in schema},
        properties=dict(schema.get("properties") or {}),
        required=frozenset(schema.get("required") or ()),
        items=schema.get("items"),
        additional=additional if isinstance(additional, dict) else None,
        read_only=schema.get("readOnly") is True,
        write_only=schema.get("writeOnly") is True,
    )


def _intersect(a, b):
    """The shape of a value that is both `a` and `b` (allOf)."""
    if a.types is None or b.types is None:
        types = b.types if a.types is None else a.types
    else:
        types = frozenset(
            {t for t in a.types if _accepts(b.types, t)}
            | {t for t in b.types if _accepts(a.types, t)}
        )
    enum = b.enum if a.enum is None else a.enum if b.enum is None else a.enum & b.enum
    properties = dict(a.properties)
    for name, schema in b.properties.items():
        properties[name] = (
            _combine("allOf", [properties[name], schema]) if name in properties else schema
        )
    bounds = dict(a.bounds)
    for key, value in b.bounds.items():
        pick = min if key in UPPER_BOUNDS else max
        bounds[key] = pick(bounds[key], value) if key in bounds else value
    both_items = a.items is not None and b.items is not None
    return _Shape(
        types=types,
        # As generators read OpenAPI 3.0: `nullable` beside an allOf makes the whole nullable.
        nullable=a.nullable or b.nullable,
        enum=enum,
        format=a.format or b.format,
        pattern=a.pattern or b.pattern,
        bounds=bounds,
        properties=properties,
        required=a.required | b.required,
        items=_combine("allOf", [a.items, b.items]) if both_items else a.items or b.items,
        additional=a.additional or b.additional,
        read_only=a.read_only or b.read_only,
        write_only=a.write_only or b.write_only,
    )


def _combine(keyword, parts):
    """An allOf or anyOf of `parts`, flat and without repeats: a schema that nests itself
    through a union then folds to the same combination at every level."""
    flat, seen = [], set()
    for part in parts:
        nested = len(part) == 1 and keyword in part
        for schema in part[keyword] if nested else [part]:
            if _identity(schema) not in seen:
                seen.add(_identity(schema))
                flat.append(schema)
    if len(flat) > MAX_ALTERNATIVES:  # a combination that grows at every level never ends
        raise ValueError(f"an {keyword} of over {MAX_ALTERNATIVES} schemas")
    return flat[0] if len(flat) == 1 else {keyword: flat}


def _same_or_none(values):
    values = set(values)
    return values.pop() if len(values) == 1 else None


def _union(shapes):
    """The shape of a value that is any one of `shapes` (oneOf, anyOf)."""
    nullable = any(shape.nullable for shape in shapes)
    shapes = [shape for shape in shapes if not shape.null_only] or shapes
    if len(shapes) == 1:
        return replace(shapes[0], nullable=nullable)
    types = (
        None
        if any(s.types is None for s in shapes)
        else frozenset().union(*(s.types for s in shapes))
    )
    enum = (
        None
        if any(s.enum is None for s in shapes)
        else frozenset().union(*(s.enum for s in shapes))
    )
    bounds = {}  # the loosest: a bound only where every alternative has one
    for key in UPPER_BOUNDS + LOWER_BOUNDS:
        if all(key in s.bounds for s in shapes):
            pick = max if key in UPPER_BOUNDS else min
            bounds[key] = pick(s.bounds[key] for s in shapes)
    properties = {}
    for shape in shapes:
        for name, schema in shape.properties.items():
            properties.setdefault(name, []).append(schema)
    objects = [s for s in shapes if s.is_object]
    items = [s.items for s in shapes if s.items is not None]
    additional = [s.additional for s in shapes if s.additional is not None]
    return _Shape(
        types=types,
        nullable=nullable,
        enum=enum,
        format=_same_or_none(s.format for s in shapes),
        pattern=_same_or_none(s.pattern for s in shapes),
        bounds=bounds,
        properties={name: _combine("anyOf", parts) for name, parts in properties.items()},
        # A field is sure to be there only if every alternative requires it.
        required=frozenset.intersection(*(s.required for s in objects)) if objects else frozenset(),
        items=_combine("anyOf", items) if items else None,
        additional=_combine("anyOf", additional) if additional else None,
    )


def _shape(doc, schema, _stack=frozenset()):
    """The shape of a schema of `doc`, its $refs resolved."""
    schema = _resolve(doc, schema or {})
    if id(schema) in _stack:  # a schema made of itself: no more to learn from it
        return _Shape()
    stack = _stack | {id(schema)}
    shape = _own_shape(schema)
    for part in schema.get("allOf") or ():
        shape = _intersect(shape, _shape(doc, part, stack))
    for keyword in ("oneOf", "anyOf"):
        if schema.get(keyword):
            shape = _intersect(shape, _union([_shape(doc, p, stack) for p in schema[keyword]]))
    return shape


def _describe(types):
    return "any type" if types is None else " or ".join(sorted(types)) or "null"


def _values(values):
    return ", ".join(repr(value) for value in sorted(values, key=repr))


def _media_schemas(doc, part):
    """media type -> schema of a request body or a response."""
    content = _resolve(doc, part).get("content") or {}
    return {media: (body or {}).get("schema") or {} for media, body in content.items()}


def _parameters(doc, path_item, operation):
    """(in, name) -> parameter of an operation, its path's parameters included."""
    found = {}
    for parameter in (path_item.get("parameters") or []) + (operation.get("parameters") or []):
        parameter = _resolve(doc, parameter)
        name = parameter["name"]
        where = parameter["in"]
        found[(where, name.lower() if where == "header" else name)] = parameter
    return found


def _parameter_schema(parameter):
    if "schema" in parameter:
        return parameter["schema"]
    content = parameter.get("content") or {}
    return next(iter(content.values()), {}).get("schema") or {}


def _serialization(parameter):
    style = parameter.get("style") or (
        "form" if parameter["in"] in ("query", "cookie") else "simple"
    )
    return style, parameter.get("explode", style == "form")


def _allows_anonymous(doc, operation):
    security = operation.get("security", doc.get("security"))
    return not security or {} in security


class _Diff:
    """One comparison of an old schema with a new one: its breaking changes gather in .changes."""

    def __init__(self, old, new):
        self.old, self.new = old, new
        self.changes = []
        self.seen = set()  # (direction, old schema, new schema) already compared, by _identity
        self.comparisons = 0

    def compare_paths(self):
        old_paths, new_paths = self.old.get("paths") or {}, self.new.get("paths") or {}
        for path, old_item in old_paths.items():
            if path not in new_paths:
                self.changes.append(f"{path}: path removed")
                continue
            old_item, new_item = _resolve(self.old, old_item), _resolve(self.new, new_paths[path])
            for method in HTTP_METHODS:
                if method not in old_item:
                    continue
                name = f"{method.upper()} {path}"
                if method not in new_item:
                    self.changes.append(f"{name}: operation removed")
                    continue
                self.compare_operation(name, old_item, new_item, method)

    def compare_operation(self, name, old_item, new_item, method):
        old, new = old_item[method], new_item[method]
        if old.get("operationId") and old.get("operationId") != new.get("operationId"):
            self.changes.append(
                f"{name}: operationId changed from {old['operationId']!r} to "
                f"{new.get('operationId')!r} (generated clients name their functions after it)"
            )
        if _allows_anonymous(self.old, old) and not _allows_anonymous(self.new, new):
            self.changes.append(f"{name}: now needs authentication")
        self.compare_parameters(
            name, _parameters(self.old, old_item, old), _parameters(self.new, new_item, new)
        )
        self.compare_request_body(name, old.get("requestBody"), new.get("requestBody"))
        self.compare_responses(name, old.get("responses") or {}, new.get("responses") or {})

    def compare_parameters(self, name, old_parameters, new_parameters):
        for key, old in old_parameters.items():
            label = f"{name}: parameter {old['name']} ({old['in']})"
            new = new_parameters.get(key)
            if new is None:
                self.changes.append(f"{label}: removed")
                continue
            if new.get("required") and not old.get("required"):
                self.changes.append(f"{label}: now required")
            if _serialization(old) != _serialization(new):
                self.changes.append(
                    f"{label}: serialized differently (style, explode: "
                    f"{_serialization(old)} -> {_serialization(new)})"
                )
            self.compare_schema(_parameter_schema(old), _parameter_schema(new), REQUEST, label, "")
        for key, new in new_parameters.items():
            if key not in old_parameters and new.get("required"):
                self.changes.append(f"{name}: new required parameter {new['name']} ({new['in']})")

    def compare_request_body(self, name, old_body, new_body):
        label = f"{name} request body"
        if old_body is None:
            if new_body is not None and _resolve(self.new, new_body).get("required"):
                self.changes.append(f"{label}: now required (there was none)")
            return
        if new_body is None:
            self.changes.append(f"{label}: removed")
            return
        if _resolve(self.new, new_body).get("required") and not _resolve(self.old, old_body).get(
            "required"
        ):
            self.changes.append(f"{label}: now required")
        new_media = _media_schemas(self.new, new_body)
        for media, old_schema in _media_schemas(self.old, old_body).items():
            if media not in new_media:
                self.changes.append(f"{label}: {media} no longer accepted")
            else:
                self.compare_schema(old_schema, new_media[media], REQUEST, f"{label} ({media})", "")

    def compare_responses(self, name, old_responses, new_responses):
        for status, old_response in old_responses.items():
            status = str(status)
            # A client relies on the success it was promised; that an error is no longer
            # documented (or no longer in some media type) breaks no client.
            success = status.startswith("2")
            new_response = new_responses.get(status, new_responses.get(_int_or(status)))
            if new_response is None:
                if success:
                    self.changes.append(f"{name}: response {status} removed")
                continue
            new_media = _media_schemas(self.new, new_response)
            for media, old_schema in _media_schemas(self.old, old_response).items():
                label = f"{name} response {status} ({media})"
                if media in new_media:
                    self.compare_schema(old_schema, new_media[media], RESPONSE, label, "")
                elif success:
                    self.changes.append(f"{label}: no longer sent")

    def compare_schema(self, old_raw, new_raw, direction, label, where):
        """Compare one schema of the old document with one of the new, as a value travelling
        in `direction`: a request must accept all it did, a response send nothing new."""
        old_raw, new_raw = old_raw or {}, new_raw or {}
        pair = (direction, _identity(old_raw), _identity(new_raw))
        if pair in self.seen:
            return  # a pair is reported once, where first met; this also ends recursion
        self.seen.add(pair)
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise ValueError(f"{_at(label, where)}: over {MAX_COMPARISONS} schemas compared")
        old, new = _shape(self.old, old_raw), _shape(self.new, new_raw)
        at = _at(label, where)
        self.compare_values(old, new, direction, at)
        if direction == REQUEST:
            self.compare_request_constraints(old, new, at)
        self.compare_properties(old, new, direction, label, where)
        if old.items is not None and new.items is not None:
            self.compare_schema(old.items, new.items, direction, label, f"{where}[]")
        if old.additional is not None and new.additional is not None:
            self.compare_schema(old.additional, new.additional, direction, label, f"{where}.*")

    def compare_values(self, old, new, direction, at):
        """Types, null and enums: the new request must take what the old did; the new response
        must send only what the old could."""
        wide, narrow = (new, old) if direction == REQUEST else (old, new)
        if not _covers(wide.types, narrow.types):
            self.changes.append(
                f"{at}: type changed from {_describe(old.types)} to {_describe(new.types)}"
            )
        if narrow.nullable and not wide.nullable:
            self.changes.append(
                f"{at}: no longer accepts null"
                if direction == REQUEST
                else f"{at}: may now be null"
            )
        if wide.enum is not None:
            if narrow.enum is None:
                self.changes.append(
                    f"{at}: now limited to {_values(new.enum)}"
                    if direction == REQUEST
                    else f"{at}: no longer limited to {_values(old.enum)}"
                )
            elif narrow.enum - wide.enum:
                extra = _values(narrow.enum - wide.enum)
                self.changes.append(
                    f"{at}: no longer accepts {extra}"
                    if direction == REQUEST
                    # openapi-python-client's enums raise ValueError on a value they lack.
                    else f"{at}: may now be {extra}, which the old enum lacks"
                )
        if new.format != old.format and (direction == RESPONSE or new.format is not None):
            self.changes.append(f"{at}: format changed from {old.format} to {new.format}")

    def compare_request_constraints(self, old, new, at):
        """Bounds and patterns that a request must still meet: tightening one refuses input
        that was valid."""
        for key in UPPER_BOUNDS:
            before, after = old.bounds.get(key), new.bounds.get(key)
            if after is not None and (before is None or after < before):
                self.changes.append(f"{at}: {key} tightened from {before} to {after}")
        for key in LOWER_BOUNDS:
            before = old.bounds.get(key, LOWER_DEFAULTS.get(key))
            after = new.bounds.get(key)
            if after is not None and (before is None or after > before):
                self.changes.append(f"{at}: {key} tightened from {before} to {after}")
        if new.pattern is not None and new.pattern != old.pattern:
            self.changes.append(f"{at}: pattern changed from {old.pattern!r} to {new.pattern!r}")

    def compare_properties(self, old, new, direction, label, where):
        """An object's fields as seen in `direction`: a readOnly field is no part of a
        request, a writeOnly one no part of a response."""
        old_fields = self.visible(self.old, old, direction)
        new_fields = self.visible(self.new, new, direction)
        old_required, new_required = (
            old.required & old_fields.keys(),
            new.required & new_fields.keys(),
        )
        for name, old_schema in old_fields.items():
            path = f"{where}.{name}" if where else name
            at = _at(label, path)
            if name not in new_fields:
                self.changes.append(
                    f"{at}: no longer accepted" if direction == REQUEST else f"{at}: removed"
                )
                continue
            if direction == RESPONSE and name in old_required and name not in new_required:
                self.changes.append(f"{at}: no longer required (a client may rely on it)")
            if direction == REQUEST and name in new_required and name not in old_required:
                self.changes.append(f"{at}: now required")
            self.compare_schema(old_schema, new_fields[name], direction, label, path)
        if direction == REQUEST:
            for name in new_required - old_fields.keys():
                path = f"{where}.{name}" if where else name
                self.changes.append(f"{_at(label, path)}: new required field")

    @staticmethod
    def visible(doc, shape, direction):
        hidden = "read_only" if direction == REQUEST else "write_only"
        return {
            name: schema
            for name, schema in shape.properties.items()
            if not getattr(_shape(doc, schema), hidden)
        }


def _identity(raw):
    """What makes two raw schemas the same for comparison: a $ref by its target, a node of
    the document by itself, an allOf or anyOf that _intersect or _union made by its parts."""
    if "$ref" in raw:
        return raw["$ref"]
    if len(raw) == 1 and ("allOf" in raw or "anyOf" in raw):
        keyword, parts = next(iter(raw.items()))
        return (keyword, *(_identity(part) for part in parts))
    return id(raw) if raw else "{}"


def _at(label, where):
    """Where a change is: the operation's part, then the field's path inside it."""
    return f"{label}: {where}" if where else label


def _int_or(status):
    return int(status) if status.isdigit() else status
