#!/usr/bin/python3
"""Reads Iceberg manifests and manifest lists with python3-avro (Debian) and reports, per file, the header
metadata, the record count, and every field that lacks a field-id (and every array lacking an element-id).

    /usr/bin/python3 avro_field_ids.py FILE...   ->  JSON on stdout: {FILE: {"metadata": {...}, "records": N,
                                                     "fields": N, "missing": [paths], "ids": {path: id}}}
"""
import json
import sys

try:
    import avro.datafile
    import avro.io
except ImportError as e:  # pragma: no cover - reported to the C# test
    sys.stderr.write(f"python3-avro is not installed: apt-get install python3-avro ({e})\n")
    sys.exit(3)


def walk(schema, path, report):
    kind = schema.get("type") if isinstance(schema, dict) else schema
    if isinstance(schema, list):
        for branch in schema:
            walk(branch, path, report)
        return
    if not isinstance(schema, dict):
        return
    if kind == "record":
        for field in schema.get("fields", []):
            field_path = f"{path}.{field['name']}" if path else field["name"]
            report["fields"] += 1
            if "field-id" in field:
                report["ids"][field_path] = field["field-id"]
            else:
                report["missing"].append(field_path)
            walk(field["type"], field_path, report)
    elif kind == "array":
        items = schema.get("items")
        if isinstance(items, dict) and items.get("type") == "record" and schema.get("logicalType") != "map" and "element-id" not in schema:
            report["missing"].append(path + "[element-id]")
        walk(items, path + "[]", report)
    elif kind == "map":
        walk(schema.get("values"), path + "{}", report)


result = {}
for name in sys.argv[1:]:
    with open(name, "rb") as stream:
        reader = avro.datafile.DataFileReader(stream, avro.io.DatumReader())
        metadata = {k: v.decode("utf-8", "replace") for k, v in reader.meta.items()}
        records = sum(1 for _ in reader)
        schema = json.loads(metadata["avro.schema"])
        report = {"metadata": metadata, "records": records, "fields": 0, "missing": [], "ids": {}}
        walk(schema, "", report)
        result[name] = report
        reader.close()

json.dump(result, sys.stdout)
