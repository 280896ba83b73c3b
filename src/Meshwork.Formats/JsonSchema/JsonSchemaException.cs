namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// A JSON Schema document could not be parsed or is not a valid draft-07 schema. <see cref="Pointer"/> is the JSON
/// pointer (RFC 6901) of the offending location inside the schema document, and the message starts with it.
/// </summary>
public sealed class JsonSchemaException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="pointer"/>.</summary>
    public JsonSchemaException(string pointer, string reason, Exception? inner = null)
        : base($"{(pointer.Length == 0 ? "#" : "#" + pointer)}: {reason}", inner)
    {
        Pointer = pointer;
        Reason = reason;
    }

    /// <summary>The JSON pointer of the problem inside the schema document; empty for the root.</summary>
    public string Pointer { get; }

    /// <summary>The problem without the pointer.</summary>
    public string Reason { get; }
}

/// <summary>
/// One validation failure: where in the instance (<see cref="InstancePointer"/>), which schema location and keyword
/// rejected it, and why.
/// </summary>
/// <param name="InstancePointer">JSON pointer into the validated instance; empty for the root.</param>
/// <param name="SchemaPointer">JSON pointer of the failing keyword inside its schema document.</param>
/// <param name="Keyword">The draft-07 keyword that failed (for example <c>required</c>), or <c>json</c> for malformed input.</param>
/// <param name="Message">A human-readable explanation.</param>
public sealed record JsonSchemaError(string InstancePointer, string SchemaPointer, string Keyword, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{(InstancePointer.Length == 0 ? "/" : InstancePointer)}: {Keyword}: {Message}";
}
