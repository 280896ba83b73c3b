#!/usr/bin/env python3
"""Generates ../Messages/<Api>.cs from messages.txt. Run from any directory: python3 generate.py"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Messages")
PRIMS = {"int8": "sbyte", "int16": "short", "int32": "int", "int64": "long", "float64": "double",
         "bool": "bool", "uuid": "Guid"}
READ = {"int8": "ReadInt8", "int16": "ReadInt16", "int32": "ReadInt32", "int64": "ReadInt64",
        "float64": "ReadFloat64", "bool": "ReadBoolean", "uuid": "ReadUuid"}
WRITE = {"int8": "WriteInt8", "int16": "WriteInt16", "int32": "WriteInt32", "int64": "WriteInt64",
         "float64": "WriteFloat64", "bool": "WriteBoolean", "uuid": "WriteUuid"}
SIZE = {"int8": 1, "int16": 2, "int32": 4, "int64": 8, "float64": 8, "bool": 1, "uuid": 16, "string": 1}
NEVER = 10**6


class Field:
    def __init__(self, name, typ, versions, attrs, depth):
        self.name = name[0].upper() + name[1:]
        self.wire = name
        self.type = typ
        self.versions = parse_versions(versions)
        self.nullable = parse_versions(attrs.get("null", "none"))
        self.tag = int(attrs["tag"]) if "tag" in attrs else None
        self.default = attrs.get("default")
        self.children = []
        self.depth = depth

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def elem(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self):
        return self.children != []

    @property
    def is_error(self):
        return self.type == "int16" and self.name.endswith("ErrorCode")

    def ever_nullable(self):
        return self.nullable[0] < NEVER


class Message:
    def __init__(self, api, kind):
        self.api = api
        self.kind = kind
        self.fields = []


class Api:
    def __init__(self, name, key, vmin, vmax, flex):
        self.name, self.key, self.vmin, self.vmax, self.flex = name, key, vmin, vmax, flex
        self.request = Message(self, "Request")
        self.response = Message(self, "Response")


def parse_versions(text):
    if text == "none":
        return (NEVER, NEVER)
    if text.endswith("+"):
        return (int(text[:-1]), None)
    if "-" in text:
        a, b = text.split("-")
        return (int(a), int(b))
    return (int(text), int(text))


def parse(path):
    apis = []
    current = None
    stack = []
    for raw in open(path):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("api "):
            _, name, key, rng, flex = line.split()
            vmin, vmax = (int(x) for x in rng.split("-"))
            f = flex.split("=")[1]
            api = Api(name, int(key), vmin, vmax, NEVER if f == "none" else int(f))
            apis.append(api)
            continue
        if line in ("request", "response"):
            current = api.request if line == "request" else api.response
            stack = []
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        parts = line.split()
        attrs = dict(p.split("=", 1) for p in parts[3:])
        field = Field(parts[0], parts[1], parts[2], attrs, depth)
        while stack and stack[-1].depth >= depth:
            stack.pop()
        (stack[-1].children if stack else current.fields).append(field)
        stack.append(field)
    return apis


def cond(rng, api):
    """C# condition for 'version in rng', simplified against the API's valid range; None means always."""
    lo, hi = rng
    if lo >= NEVER:
        return "false"
    parts = []
    if lo > api.vmin:
        parts.append(f"version >= {lo}")
    if hi is not None and hi < api.vmax:
        parts.append(f"version <= {hi}")
    if lo > api.vmax or (hi is not None and hi < api.vmin):
        return "false"
    return " && ".join(parts) if parts else None


def null_expr(f, api):
    c = cond(f.nullable, api)
    return "true" if c is None else c


def cs_type(f):
    if f.is_array:
        e = f.elem
        inner = "ErrorCode" if False else (PRIMS.get(e) or ("string" if e == "string" else e))
        return f"List<{inner}>" + ("?" if f.ever_nullable() else "")
    if f.is_struct:
        return f.type + "?"
    if f.type == "string":
        return "string?" if f.ever_nullable() else "string"
    if f.type in ("bytes", "records"):
        return "ReadOnlyMemory<byte>?" if f.ever_nullable() else "ReadOnlyMemory<byte>"
    if f.is_error:
        return "ErrorCode"
    return PRIMS[f.type]


def nullable_from_start(f):
    return f.ever_nullable() and f.nullable[0] <= f.versions[0]


def initializer(f):
    # Fields nullable from their first version default to null; the others default to empty, so a default
    # message is encodable in every version (as in Kafka's generated classes).
    if f.is_array:
        return "" if nullable_from_start(f) else " = [];"
    if f.is_struct:
        return ""
    if f.type == "string":
        if nullable_from_start(f):
            return ""
        return ' = string.Empty;'
    if f.type in ("bytes", "records"):
        return ""
    if f.default is not None:
        d = f.default
        if f.type == "int8":
            return f" = {d};"
        if f.type == "int16":
            return f" = {d};"
        return f" = {d};"
    return ""


def is_default_expr(f, target):
    """Expression that is true when a tagged field holds a non-default value and must be written."""
    if f.is_array:
        return f"{target} is {{ Count: > 0 }}"
    if f.is_struct:
        return f"{target} is not null"
    if f.type == "string":
        return f"{target} is not null" if f.ever_nullable() else f"{target}.Length != 0"
    if f.type in ("bytes", "records"):
        return f"{target} is not null" if f.ever_nullable() else f"!{target}.IsEmpty"
    if f.is_error:
        return f"{target} != ErrorCode.None"
    if f.type == "bool":
        return f"!{target}" if f.default == "true" else target
    d = f.default if f.default is not None else "0"
    return f"{target} != {d}"


def read_value(f, api, target, ind):
    """Statements reading field f into target."""
    out = []
    n = f.name
    t = f.type
    if f.is_array:
        e = f.elem
        minsize = SIZE.get(e, 1)
        out.append(f"{ind}{{")
        out.append(f"{ind}    var count = reader.ReadArrayLength(flexible, nullable: {null_expr(f, api)}, \"{n}\", {minsize});")
        elem_t = PRIMS.get(e) or e
        if f.ever_nullable():
            out.append(f"{ind}    {target} = count < 0 ? null : new List<{elem_t}>(count);")
        else:
            out.append(f"{ind}    {target} = new List<{elem_t}>(count);")
        out.append(f"{ind}    for (var i = 0; i < count; i++)")
        out.append(f"{ind}    {{")
        if e in READ:
            out.append(f"{ind}        {target}!.Add(reader.{READ[e]}(\"{n}\"));")
        elif e == "string":
            out.append(f"{ind}        {target}!.Add(reader.ReadString(flexible, nullable: false, \"{n}\")!);")
        else:
            out.append(f"{ind}        {target}!.Add({e}.Read(ref reader, version));")
        out.append(f"{ind}    }}")
        out.append(f"{ind}}}")
        return out
    if f.is_struct:
        out.append(f"{ind}{target} = {t}.Read(ref reader, version);")
        return out
    if t == "string":
        bang = "" if f.ever_nullable() else "!"
        out.append(f"{ind}{target} = reader.ReadString(flexible, nullable: {null_expr(f, api)}, \"{n}\"){bang};")
        return out
    if t in ("bytes", "records"):
        bang = "" if f.ever_nullable() else "!.Value"
        out.append(f"{ind}{target} = reader.ReadBytesMemory(flexible, nullable: {null_expr(f, api)}, \"{n}\"){bang};")
        return out
    if f.is_error:
        out.append(f"{ind}{target} = (ErrorCode)reader.ReadInt16(\"{n}\");")
        return out
    out.append(f"{ind}{target} = reader.{READ[t]}(\"{n}\");")
    return out


def write_value(f, api, src, ind):
    out = []
    n = f.name
    t = f.type
    if f.is_array:
        e = f.elem
        out.append(f"{ind}if ({src} is null)")
        out.append(f"{ind}{{")
        out.append(f"{ind}    KafkaWriter.EnsureNullable({null_expr(f, api)}, \"{n}\", version);")
        out.append(f"{ind}    writer.WriteArrayLength(-1, flexible);")
        out.append(f"{ind}}}")
        out.append(f"{ind}else")
        out.append(f"{ind}{{")
        out.append(f"{ind}    writer.WriteArrayLength({src}.Count, flexible);")
        out.append(f"{ind}    foreach (var item in {src})")
        out.append(f"{ind}    {{")
        if e in WRITE:
            out.append(f"{ind}        writer.{WRITE[e]}(item);")
        elif e == "string":
            out.append(f"{ind}        writer.WriteString(item, flexible, nullable: false, \"{n}\");")
        else:
            out.append(f"{ind}        item.Write(writer, version);")
        out.append(f"{ind}    }}")
        out.append(f"{ind}}}")
        return out
    if f.is_struct:
        out.append(f"{ind}({src} ?? new {t}()).Write(writer, version);")
        return out
    if t == "string":
        out.append(f"{ind}writer.WriteString({src}, flexible, nullable: {null_expr(f, api)}, \"{n}\");")
        return out
    if t == "records":
        out.append(f"{ind}if ({n}Segments is not null)")
        out.append(f"{ind}{{")
        out.append(f"{ind}    writer.WriteBytes({n}Segments, flexible);")
        out.append(f"{ind}}}")
        out.append(f"{ind}else")
        out.append(f"{ind}{{")
        out.append(f"{ind}    writer.WriteBytes({src}, flexible, nullable: {null_expr(f, api)}, \"{n}\");")
        out.append(f"{ind}}}")
        return out
    if t == "bytes":
        if f.ever_nullable():
            out.append(f"{ind}writer.WriteBytes({src}, flexible, nullable: {null_expr(f, api)}, \"{n}\");")
        else:
            out.append(f"{ind}writer.WriteBytes({src}.Span, flexible);")
        return out
    if f.is_error:
        out.append(f"{ind}writer.WriteInt16((short){src});")
        return out
    out.append(f"{ind}writer.{WRITE[t]}({src});")
    return out


def vdesc(f):
    lo, hi = f.versions
    v = f"{lo}+" if hi is None else (f"{lo}" if lo == hi else f"{lo}-{hi}")
    s = f"versions {v}"
    if f.ever_nullable():
        lo, hi = f.nullable
        s += ", nullable " + (f"{lo}+" if hi is None else (f"{lo}" if lo == hi else f"{lo}-{hi}"))
    if f.tag is not None:
        s += f", tagged field {f.tag}"
    return s


# Descriptions of recurring fields, paraphrased from the "about" texts of the Kafka message definitions.
ABOUT = {
    "ThrottleTimeMs": "How long the request was throttled for quota reasons, in milliseconds (0 if not throttled)",
    "ErrorCode": "The error code, or <see cref=\"Protocol.ErrorCode.None\"/>",
    "ErrorMessage": "The error message, or null if there was no error",
    "PartitionIndex": "The partition index",
    "Partition": "The partition index",
    "Name": "The name",
    "Topic": "The topic name",
    "Topics": "The topics",
    "Partitions": "The partitions",
    "GroupId": "The group id",
    "MemberId": "The member id assigned by the group coordinator",
    "GenerationId": "The generation of the group",
    "GroupInstanceId": "The static member id (group.instance.id, KIP-345), or null",
    "ProtocolType": "The group protocol type (\"consumer\" for consumer groups)",
    "ProtocolName": "The group protocol (assignor) selected by the coordinator",
    "Records": "The record batches, as raw bytes (the broker parses them with <see cref=\"Records.RecordBatch\"/>)",
    "TimeoutMs": "How long to wait for the operation, in milliseconds",
    "TransactionalId": "The transactional id, or null for non-transactional producers",
    "Acks": "Required acknowledgements: 0 none, 1 leader, -1 all in-sync replicas",
    "ReplicaId": "The broker id of the follower, or -1 for consumers",
    "IsolationLevel": "0 = READ_UNCOMMITTED, 1 = READ_COMMITTED",
    "CurrentLeaderEpoch": "The leader epoch the client knows, for fencing (-1 if unknown)",
    "LeaderEpoch": "The leader epoch (-1 if unknown)",
    "LogStartOffset": "The log start offset (-1 if unknown)",
    "HighWatermark": "The high watermark",
    "LastStableOffset": "The last stable offset (equal to the high watermark without transactions)",
    "ResourceType": "The resource type (2 = topic, 4 = broker)",
    "ResourceName": "The resource name",
    "Configs": "The configuration entries",
    "Value": "The value, or null",
    "ValidateOnly": "When true, only validate the request",
    "Metadata": "The opaque metadata",
    "CommittedOffset": "The committed offset",
    "CommittedMetadata": "Metadata stored with the committed offset, or null",
    "CommittedLeaderEpoch": "The leader epoch of the committed offset (-1 if unknown)",
    "ProducerId": "The producer id (-1 if none)",
    "ProducerEpoch": "The producer epoch (-1 if none)",
    "NodeId": "The broker id",
    "Host": "The broker host name",
    "Port": "The broker port",
    "AuthBytes": "The SASL mechanism bytes",
    "Mechanism": "The SASL mechanism chosen by the client",
    "Mechanisms": "The SASL mechanisms enabled on the broker",
    "ApiKeys": "The APIs and version ranges the broker supports",
    "MaxWaitMs": "The maximum time to wait for MinBytes, in milliseconds",
    "MinBytes": "The minimum bytes to accumulate before answering",
    "MaxBytes": "The maximum bytes to return (KIP-74: at least one batch is always returned)",
    "SessionId": "The fetch session id (0 = no session)",
    "SessionEpoch": "The fetch session epoch (-1 = full fetch without session)",
    "ControllerId": "The controller's broker id; must be this broker for kafkajs' idempotent producer",
    "ClusterId": "The cluster id, or null",
    "AllowAutoTopicCreation": "Whether the broker may auto-create requested topics",
    "Timestamp": "The timestamp (-1 latest, -2 earliest when listing offsets)",
    "Offset": "The offset",
    "BaseOffset": "The offset assigned to the first record",
    "LogAppendTimeMs": "The append time for LogAppendTime topics, else -1",
    "AbortedTransactions": "Aborted transactions in the returned range, or null",
    "PreferredReadReplica": "The preferred read replica, -1 for none",
    "Assignment": "The member assignment (opaque to the broker)",
    "Assignments": "The assignments",
    "Members": "The group members",
    "Groups": "The groups",
    "Protocols": "The protocols the member supports, in preference order",
    "RebalanceTimeoutMs": "How long the coordinator waits for members to rejoin, in milliseconds",
    "SessionTimeoutMs": "How long without heartbeat before the member is removed, in milliseconds",
    "Leader": "The member id of the group leader",
    "RetentionTimeMs": "How long to retain the offset, or -1 for the broker default",
    "Key": "The coordinator key (the group id for groups)",
    "KeyType": "The coordinator key type: 0 group, 1 transaction",
    "BrokerIds": "The broker ids",
    "NumPartitions": "The number of partitions, or -1 for the default",
    "ReplicationFactor": "The replication factor, or -1 for the default",
    "Count": "The new total partition count",
}


def about(f):
    text = ABOUT.get(f.name)
    if text is None:
        text = "The " + words(f.name)
    return text


def words(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def emit_members(fields, api, ind, owner):
    out = []
    for f in fields:
        out.append(f"{ind}/// <summary>{about(f)} ({vdesc(f)}).</summary>")
        out.append(f"{ind}public {cs_type(f)} {f.name} {{ get; set; }}{initializer(f)}")
        out.append("")
        if f.type == "records":
            out.append(f"{ind}/// <summary>")
            out.append(f"{ind}/// When set, written instead of <see cref=\"{f.name}\"/> as one length-prefixed value made of these")
            out.append(f"{ind}/// segments, so stored batches can be sent without concatenating them. Never set by Read.")
            out.append(f"{ind}/// </summary>")
            out.append(f"{ind}public IReadOnlyList<ReadOnlyMemory<byte>>? {f.name}Segments {{ get; set; }}")
            out.append("")
    return out


def emit_read_body(fields, api, ind, cls):
    out = [f"{ind}var flexible = version >= {api.flex if api.flex < NEVER else 'NeverFlexible'};",
           f"{ind}var result = new {cls}();"]
    tagged = [f for f in fields if f.tag is not None]
    for f in fields:
        if f.tag is not None:
            continue
        c = cond(f.versions, api)
        if c == "false":
            continue
        if c is None:
            out += read_value(f, api, f"result.{f.name}", ind)
        else:
            out.append(f"{ind}if ({c})")
            out.append(f"{ind}{{")
            out += read_value(f, api, f"result.{f.name}", ind + "    ")
            out.append(f"{ind}}}")
    out.append(f"{ind}if (flexible)")
    out.append(f"{ind}{{")
    if not tagged:
        out.append(f"{ind}    reader.SkipTaggedFields();")
    else:
        i2 = ind + "    "
        out.append(f"{i2}var taggedCount = reader.ReadUnsignedVarInt(\"tagged field count\");")
        out.append(f"{i2}for (uint t = 0; t < taggedCount; t++)")
        out.append(f"{i2}{{")
        out.append(f"{i2}    reader.ReadTaggedFieldHeader(out var tag, out var size);")
        out.append(f"{i2}    var start = reader.Position;")
        out.append(f"{i2}    switch (tag)")
        out.append(f"{i2}    {{")
        for f in tagged:
            c = cond(f.versions, api)
            when = f" when {c}" if c else ""
            out.append(f"{i2}        case {f.tag}{when}:")
            out += read_value(f, api, f"result.{f.name}", i2 + "            ")
            out.append(f"{i2}            break;")
        out.append(f"{i2}        default:")
        out.append(f"{i2}            reader.Skip(size, \"unknown tagged field\");")
        out.append(f"{i2}            break;")
        out.append(f"{i2}    }}")
        out.append("")
        out.append(f"{i2}    reader.EnsureConsumed(start, size, \"tagged field\");")
        out.append(f"{i2}}}")
    out.append(f"{ind}}}")
    out.append("")
    out.append(f"{ind}return result;")
    return out


def emit_write_body(fields, api, ind):
    out = [f"{ind}var flexible = version >= {api.flex if api.flex < NEVER else 'NeverFlexible'};"]
    tagged = [f for f in fields if f.tag is not None]
    for f in fields:
        if f.tag is not None:
            continue
        c = cond(f.versions, api)
        if c == "false":
            continue
        if c is None:
            out += write_value(f, api, f.name, ind)
        else:
            out.append(f"{ind}if ({c})")
            out.append(f"{ind}{{")
            out += write_value(f, api, f.name, ind + "    ")
            out.append(f"{ind}}}")
    out.append(f"{ind}if (flexible)")
    out.append(f"{ind}{{")
    i2 = ind + "    "
    if not tagged:
        out.append(f"{i2}writer.WriteEmptyTaggedFields();")
    else:
        out.append(f"{i2}var taggedCount = 0u;")
        for f in tagged:
            c = cond(f.versions, api)
            pre = f"{c} && " if c else ""
            out.append(f"{i2}if ({pre}{is_default_expr(f, f.name)})")
            out.append(f"{i2}{{")
            out.append(f"{i2}    taggedCount++;")
            out.append(f"{i2}}}")
            out.append("")
        out.append(f"{i2}writer.WriteUnsignedVarInt(taggedCount);")
        for f in tagged:
            c = cond(f.versions, api)
            pre = f"{c} && " if c else ""
            out.append(f"{i2}if ({pre}{is_default_expr(f, f.name)})")
            out.append(f"{i2}{{")
            out.append(f"{i2}    writer.WriteTaggedField({f.tag}, version, (writer, version) =>")
            out.append(f"{i2}    {{")
            body = write_value(f, api, f.name, i2 + "        ")
            if any("flexible" in b for b in body):
                out.append(f"{i2}        var flexible = true;")
            out += body
            out.append(f"{i2}    }});")
            out.append(f"{i2}}}")
            out.append("")
        if out[-1] == "":
            out.pop()
    out.append(f"{ind}}}")
    return out


def collect_structs(fields, acc):
    for f in fields:
        if f.is_struct:
            acc.append(f)
            collect_structs(f.children, acc)
    return acc


def emit_message(msg):
    api = msg.api
    cls = f"{api.name}{msg.kind}"
    iface = f"IKafka{msg.kind}<{cls}>"
    flex = f"{api.flex}+" if api.flex < NEVER else "none"
    o = []
    o.append(f"/// <summary>")
    o.append(f"/// {api.name} {msg.kind.lower()} (API key {api.key}), versions {api.vmin}-{api.vmax}, flexible versions {flex}.")
    o.append(f"/// </summary>")
    o.append(f"public sealed partial class {cls} : {iface}")
    o.append("{")
    if api.flex >= NEVER:
        o.append("    /// <summary>This API has no flexible versions.</summary>")
        o.append("    private const short NeverFlexible = short.MaxValue;")
        o.append("")
    o.append("    /// <inheritdoc/>")
    o.append(f"    public ApiKey Api => ApiKey.{api.name};")
    o.append("")
    o += emit_members(msg.fields, api, "    ", cls)
    o.append(f"    /// <summary>Decodes the body of a {api.name} {msg.kind.lower()} of the given version.</summary>")
    o.append(f"    public static {cls} Read(ref KafkaReader reader, short version)")
    o.append("    {")
    o += emit_read_body(msg.fields, api, "        ", cls)
    o.append("    }")
    o.append("")
    o.append(f"    /// <summary>Encodes the body of this {msg.kind.lower()} in the given version.</summary>")
    o.append("    public void Write(KafkaWriter writer, short version)")
    o.append("    {")
    o.append("        ArgumentNullException.ThrowIfNull(writer);")
    o += emit_write_body(msg.fields, api, "        ")
    o.append("    }")
    for s in collect_structs(msg.fields, []):
        o.append("")
        o.append(f"    /// <summary>{s.type} ({vdesc(s)}).</summary>")
        o.append(f"    public sealed class {s.elem}")
        o.append("    {")
        o += emit_members(s.children, api, "        ", s.elem)
        o.append(f"        internal static {s.elem} Read(ref KafkaReader reader, short version)")
        o.append("        {")
        o += emit_read_body(s.children, api, "            ", s.elem)
        o.append("        }")
        o.append("")
        o.append("        internal void Write(KafkaWriter writer, short version)")
        o.append("        {")
        o += emit_write_body(s.children, api, "            ")
        o.append("        }")
        o.append("    }")
    o.append("}")
    return o


def fix_structs(fields):
    # A struct is a field with children; its class name is the element type.
    for f in fields:
        if f.children:
            fix_structs(f.children)


def space_blocks(text):
    """Puts a blank line after a closing brace that is followed by another statement (house layout)."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if line.strip() == "}" and i + 1 < len(lines):
            nxt = lines[i + 1].strip()
            if nxt and not nxt.startswith(("}", "else", "case ", "default:", ")", "break;")):
                out.append("")
    return "\n".join(out)


def main():
    apis = parse(os.path.join(HERE, "messages.txt"))
    os.makedirs(OUT, exist_ok=True)
    for api in apis:
        lines = ["// <generated>",
                 "// Generated by Schema/generate.py from Schema/messages.txt; edit those, not this file.",
                 "// </generated>",
                 "namespace Meshwork.Kafka.Protocol.Messages;", ""]
        lines += emit_message(api.request)
        lines.append("")
        lines += emit_message(api.response)
        text = "\n".join(lines) + "\n"
        text = re.sub(r"\n\n+(\s*})", r"\n\1", text)
        text = space_blocks(text)
        with open(os.path.join(OUT, f"{api.name}.cs"), "w") as fh:
            fh.write(text)
    # Dispatch tables.
    d = ["// <generated>",
         "// Generated by Schema/generate.py from Schema/messages.txt; edit those, not this file.",
         "// </generated>",
         "using Meshwork.Kafka.Protocol.Messages;", "",
         "namespace Meshwork.Kafka.Protocol;", "",
         "/// <summary>Decodes a request or response body by API key.</summary>",
         "public static partial class KafkaCodec",
         "{",
         "    /// <summary>Decodes a request body of the given API and version (the header is already consumed).</summary>",
         "    public static IKafkaRequest ReadRequestBody(ApiKey apiKey, short version, ref KafkaReader reader) => apiKey switch",
         "    {"]
    for api in apis:
        d.append(f"        ApiKey.{api.name} => {api.name}Request.Read(ref reader, version),")
    d.append('        _ => throw new KafkaProtocolException($"Unsupported API key {(short)apiKey}.", ErrorCode.InvalidRequest),')
    d.append("    };")
    d.append("")
    d.append("    /// <summary>Decodes a response body of the given API and version (the header is already consumed).</summary>")
    d.append("    public static IKafkaResponse ReadResponseBody(ApiKey apiKey, short version, ref KafkaReader reader) => apiKey switch")
    d.append("    {")
    for api in apis:
        d.append(f"        ApiKey.{api.name} => {api.name}Response.Read(ref reader, version),")
    d.append('        _ => throw new KafkaProtocolException($"Unsupported API key {(short)apiKey}.", ErrorCode.InvalidRequest),')
    d.append("    };")
    d.append("}")
    with open(os.path.join(HERE, "..", "KafkaCodec.Dispatch.cs"), "w") as fh:
        fh.write("\n".join(d) + "\n")


if __name__ == "__main__":
    main()
