#!/usr/bin/python3
"""Validates Kubernetes objects against the official OpenAPI v3 schemas.

Usage: k8s_validate.py SCHEMA_DIR FILE...

Each FILE is YAML or JSON: one object, a List, or a multi-document stream.
Unknown fields are rejected (as kubectl's strict validation does); required
fields, types, enums and int-or-string are checked.  Objects whose
apiVersion/kind has no schema in SCHEMA_DIR are reported as skipped.
Prints one line per problem; exits 1 if there was any.
"""
import glob
import json
import os
import sys

import yaml


def load_schemas(directory):
    schemas, by_gvk = {}, {}
    for path in glob.glob(os.path.join(directory, "*.json")):
        with open(path) as f:
            doc = json.load(f)
        for name, schema in doc["components"]["schemas"].items():
            schemas[name] = schema
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                group = gvk["group"]
                api = gvk["version"] if not group else group + "/" + gvk["version"]
                by_gvk[(api, gvk["kind"])] = name
    return schemas, by_gvk


def resolve(schemas, schema):
    while "$ref" in schema:
        schema = schemas[schema["$ref"].split("/")[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        merged = dict(schema)
        del merged["allOf"]
        base = resolve(schemas, schema["allOf"][0])
        merged = {**base, **{k: v for k, v in merged.items() if k != "default"}}
        return merged
    return schema


def check(schemas, schema, value, path, problems):
    schema = resolve(schemas, schema)
    if schema.get("x-kubernetes-int-or-string"):
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            problems.append(f"{path}: want an integer or a string")
        return
    t = schema.get("type")
    if value is None:
        if not schema.get("nullable"):
            problems.append(f"{path}: null is not allowed")
        return
    if t == "object" or "properties" in schema:
        if not isinstance(value, dict):
            problems.append(f"{path}: want an object")
            return
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{path}: missing required field {key}")
        for key, v in value.items():
            if key in props:
                check(schemas, props[key], v, f"{path}.{key}", problems)
            elif isinstance(extra, dict):
                check(schemas, extra, v, f"{path}.{key}", problems)
            elif extra is True:
                pass
            else:
                problems.append(f"{path}: unknown field {key}")
    elif t == "array":
        if not isinstance(value, list):
            problems.append(f"{path}: want an array")
            return
        for i, v in enumerate(value):
            check(schemas, schema.get("items", {}), v, f"{path}[{i}]", problems)
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: want a string, got {value!r}")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f"{path}: {value!r} is not one of {schema['enum']}")
    elif t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: want an integer, got {value!r}")
    elif t == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: want a number, got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: want a boolean, got {value!r}")


def objects(path):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc is None:
                continue
            if isinstance(doc.get("items"), list) and str(doc.get("kind", "")).endswith("List"):
                yield from doc["items"]
            else:
                yield doc


def main():
    schemas, by_gvk = load_schemas(sys.argv[1])
    problems, checked, skipped = [], 0, 0
    for path in sys.argv[2:]:
        for i, obj in enumerate(objects(path)):
            name = (obj.get("metadata") or {}).get("name", f"#{i}")
            key = (obj.get("apiVersion"), obj.get("kind"))
            if key not in by_gvk:
                skipped += 1
                continue
            checked += 1
            found = []
            check(schemas, schemas[by_gvk[key]], obj, f"{path}: {key[1]}/{name}", found)
            problems.extend(found)
    for p in problems:
        print(p)
    print(f"validated {checked} objects, {skipped} without a schema here, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
