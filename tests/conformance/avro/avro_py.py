#!/usr/bin/python3
"""Conformance driver for Debian's python3-avro (run with /usr/bin/python3).

Reads one JSON request on stdin and writes one JSON response on stdout. Values travel in the Avro JSON
encoding (unions as {"branch": value}, bytes as ISO-8859-1 strings, logical types as their underlying type) so that
the caller never depends on python-avro's logical-type objects.

Requests:
  {"op": "encode", "cases": [{"schema": S, "values": [json...]}]}  -> {"results": [{"hex": [...]} | {"error": msg}]}
  {"op": "decode", "cases": [{"schema": S, "hex": [...]}]}         -> {"results": [{"values": [...]} | {"error": msg}]}
  {"op": "write_ocf", "cases": [{"schema": S, "values": [...], "codec": c, "path": p}]} -> {"results": [{} | {"error": msg}]}
  {"op": "read_ocf", "cases": [{"path": p}]}                       -> {"results": [{"schema": S, "codec": c, "values": [...]}]}
  {"op": "canonical", "cases": [{"schema": S}]}                    -> {"results": [{"canonical": text}]}
  {"op": "resolve", "cases": [{"writer": W, "reader": R, "values": [json in W]}]} -> {"results": [{"values": [json in R]}]}
"""
import datetime
import decimal
import io
import json
import sys
import warnings

try:
    import avro.datafile
    import avro.io
    import avro.schema
except ImportError:
    sys.stderr.write("python3-avro is not installed: apt-get install -y python3-avro\n")
    sys.exit(3)

warnings.simplefilter("ignore")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse(schema):
    return avro.schema.parse(json.dumps(schema))


def branch_name(s):
    if isinstance(s, avro.schema.NamedSchema):
        return s.fullname
    return s.type


class Branch:
    """A union value whose branch the JSON named; python-avro alone would pick the last branch that validates."""

    def __init__(self, index, value):
        self.index = index
        self.value = value


class BranchDatumWriter(avro.io.DatumWriter):
    def write(self, datum, encoder):
        # validate() does not know Branch; write_data still checks every value against its schema.
        self.write_data(self.writers_schema, datum, encoder)

    def write_union(self, writers_schema, datum, encoder):
        if isinstance(datum, Branch):
            encoder.write_long(datum.index)
            return self.write_data(writers_schema.schemas[datum.index], datum.value, encoder)
        return super().write_union(writers_schema, datum, encoder)


def cook(s, v):
    """Raw underlying value -> the object python-avro expects for a logical type."""
    lt = s.get_prop("logicalType")
    scale = s.get_prop("scale") or 0
    precision = s.get_prop("precision")
    if lt == "decimal" and s.type in ("bytes", "fixed") and isinstance(precision, int) and precision > 0 and isinstance(scale, int) and 0 <= scale <= precision:
        return decimal.Decimal(int.from_bytes(v, "big", signed=True)).scaleb(-scale)
    if lt == "date" and s.type == "int":
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=v)
    if lt == "time-millis" and s.type == "int":
        return (datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=v)).time()
    if lt == "time-micros" and s.type == "long":
        return (datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=v)).time()
    if lt == "timestamp-millis" and s.type == "long":
        return EPOCH + datetime.timedelta(milliseconds=v)
    if lt == "timestamp-micros" and s.type == "long":
        return EPOCH + datetime.timedelta(microseconds=v)
    return v


def from_json(s, v):
    """Avro JSON encoding -> python-avro datum."""
    return cook(s, from_json_raw(s, v))


def from_json_raw(s, v):
    t = s.type
    if t in ("bytes", "fixed"):
        return v.encode("latin-1")
    if t in ("record", "error"):
        out = {}
        for f in s.fields:
            if f.name in v:
                out[f.name] = from_json(f.type, v[f.name])
            else:
                out[f.name] = from_default(f.type, f.default)
        return out
    if t == "array":
        return [from_json(s.items, x) for x in v]
    if t == "map":
        return {k: from_json(s.values, x) for k, x in v.items()}
    if t == "union":
        if v is None:
            return None
        (name, inner), = v.items()
        for i, b in enumerate(s.schemas):
            if branch_name(b) == name:
                return Branch(i, from_json(b, inner))
        raise ValueError("no branch " + name)
    return v


def from_default(s, v):
    if s.type == "union":
        return Branch(0, from_default(s.schemas[0], v))
    if s.type in ("record", "error"):
        return {f.name: from_default(f.type, v.get(f.name, f.default)) for f in s.fields}
    if s.type == "array":
        return [from_default(s.items, x) for x in v]
    if s.type == "map":
        return {k: from_default(s.values, x) for k, x in v.items()}
    return cook(s, from_json_raw(s, v))


def unscaled_bytes(d, scale, size=None):
    unscaled = int(d.scaleb(scale))
    if size is None:
        size = (unscaled.bit_length() + 8) // 8
    return unscaled.to_bytes(size, "big", signed=True)


def raw(s, v):
    """Undo python-avro's logical-type conversions."""
    lt = getattr(s, "logical_type", None) or s.get_prop("logicalType")
    if isinstance(v, decimal.Decimal):
        return unscaled_bytes(v, s.get_prop("scale") or 0, s.size if s.type == "fixed" else None)
    if isinstance(v, datetime.datetime):
        delta = v - EPOCH
        micros = (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
        return micros // 1000 if lt == "timestamp-millis" else micros
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    if isinstance(v, datetime.time):
        micros = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
        return micros // 1000 if lt == "time-millis" else micros
    return v


def matches(s, v):
    t = s.type
    if t == "null":
        return v is None
    if t == "boolean":
        return isinstance(v, bool)
    if t in ("int", "long"):
        return (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, (datetime.date, datetime.time))
    if t in ("float", "double"):
        return isinstance(v, float)
    if t == "string":
        return isinstance(v, str)
    if t == "bytes":
        return isinstance(v, (bytes, decimal.Decimal))
    if t == "fixed":
        return isinstance(v, decimal.Decimal) or (isinstance(v, bytes) and len(v) == s.size)
    if t == "enum":
        return isinstance(v, str) and v in s.symbols
    if t in ("record", "error"):
        return isinstance(v, dict) and avro.io.validate(s, v)
    if t == "array":
        return isinstance(v, list)
    if t == "map":
        return isinstance(v, dict)
    return False


def to_json(s, v):
    """python-avro datum -> Avro JSON encoding."""
    v = raw(s, v)
    t = s.type
    if t in ("bytes", "fixed"):
        return v.decode("latin-1")
    if t in ("record", "error"):
        return {f.name: to_json(f.type, v[f.name]) for f in s.fields}
    if t == "array":
        return [to_json(s.items, x) for x in v]
    if t == "map":
        return {k: to_json(s.values, x) for k, x in v.items()}
    if t == "union":
        if v is None:
            return None
        for b in s.schemas:
            if matches(b, v):
                return {branch_name(b): to_json(b, v)}
        raise ValueError("no union branch matches %r" % (v,))
    return v


def encode(case):
    s = parse(case["schema"])
    writer = BranchDatumWriter(s)
    out = []
    for value in case["values"]:
        buf = io.BytesIO()
        writer.write(from_json(s, value), avro.io.BinaryEncoder(buf))
        out.append(buf.getvalue().hex())
    return {"hex": out}


def decode(case):
    s = parse(case["schema"])
    reader = avro.io.DatumReader(s)
    out = []
    for h in case["hex"]:
        data = bytes.fromhex(h)
        buf = io.BytesIO(data)
        value = reader.read(avro.io.BinaryDecoder(buf))
        if buf.tell() != len(data):
            raise ValueError("%d trailing bytes" % (len(data) - buf.tell()))
        out.append(to_json(s, value))
    return {"values": out}


def write_ocf(case):
    s = parse(case["schema"])
    with open(case["path"], "wb") as f:
        w = avro.datafile.DataFileWriter(f, BranchDatumWriter(), s, codec=case.get("codec", "null"))
        for value in case["values"]:
            w.append(from_json(s, value))
        w.close()
    return {}


def read_ocf(case):
    with open(case["path"], "rb") as f:
        r = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        s = r.datum_reader.writers_schema
        codec = r.get_meta("avro.codec")
        values = [to_json(s, v) for v in r]
        r.close()
    return {"schema": s.to_json(), "codec": codec.decode() if codec else "null", "values": values}


def resolve(case):
    w = parse(case["writer"])
    r = parse(case["reader"])
    writer = BranchDatumWriter(w)
    reader = avro.io.DatumReader(w, r)
    out = []
    for value in case["values"]:
        buf = io.BytesIO()
        writer.write(from_json(w, value), avro.io.BinaryEncoder(buf))
        buf.seek(0)
        out.append(to_json(r, reader.read(avro.io.BinaryDecoder(buf))))
    return {"values": out}


def canonical(case):
    return {"canonical": parse(case["schema"]).canonical_form}


OPS = {"encode": encode, "decode": decode, "write_ocf": write_ocf, "read_ocf": read_ocf, "canonical": canonical, "resolve": resolve}


def main():
    request = json.load(sys.stdin)
    op = OPS[request["op"]]
    results = []
    for case in request["cases"]:
        try:
            results.append(op(case))
        except Exception as e:  # report per case; the caller decides what is a failure
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
