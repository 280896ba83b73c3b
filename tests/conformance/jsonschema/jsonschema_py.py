#!/usr/bin/python3
"""Driver for Debian's python3-jsonschema (draft-07): the reference verdicts for our validator.

Run with /usr/bin/python3 (apt-get install python3-jsonschema). Reads one JSON request on stdin:
    {"cases": [{"schema": ..., "instance": ..., "format": bool}, ...]}
and writes {"results": [{"valid": bool} | {"error": "..."}]} on stdout. "format": true turns on the draft-07 format
checker (only the formats python-jsonschema checks without optional extras: date, email, ipv4, ipv6, regex, ...).
Exits with code 3 and names the package when jsonschema is missing.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("python3-jsonschema is not installed: apt-get install python3-jsonschema\n")
    sys.exit(3)


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            checker = jsonschema.Draft7Validator.FORMAT_CHECKER if case.get("format") else None
            validator = jsonschema.Draft7Validator(case["schema"], format_checker=checker)
            results.append({"valid": validator.is_valid(case["instance"])})
        except Exception as e:  # a case the library cannot evaluate is reported, not fatal
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
