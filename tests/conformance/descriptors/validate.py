"""Validates YAML descriptors against Meshwork's published JSON Schemas with python3-jsonschema (Draft 7).

Usage: validate.py SCHEMA_DIR FILE...   Each FILE is checked against the schema its name selects
(domain.yaml, product.yaml, policies.yaml). Prints one JSON line per file: {"file", "valid", "errors"}.
"""
import json
import os
import sys

import jsonschema
import yaml

class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema has no implicit timestamps: 'sunset: 2027-06-30' is a string, as Meshwork reads it."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

SCHEMAS = {"domain.yaml": "domain.schema.json", "product.yaml": "product.schema.json", "policies.yaml": "policies.schema.json"}


def main():
    schema_dir, files = sys.argv[1], sys.argv[2:]
    for path in files:
        with open(os.path.join(schema_dir, SCHEMAS[os.path.basename(path)])) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        with open(path) as f:
            document = yaml.load(f, Loader=Yaml12Loader)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
        print(json.dumps({"file": path, "valid": not errors, "errors": errors}))


if __name__ == "__main__":
    main()
