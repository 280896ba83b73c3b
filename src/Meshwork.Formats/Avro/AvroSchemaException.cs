namespace Meshwork.Formats.Avro;

/// <summary>
/// A schema could not be parsed or is invalid. <see cref="Path"/> names the JSON location of the problem
/// (for example <c>fields[2].type</c>), and the message starts with it.
/// </summary>
public sealed class AvroSchemaException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="path"/>.</summary>
    public AvroSchemaException(string path, string reason, Exception? inner = null)
        : base(path.Length == 0 ? reason : $"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The JSON path of the problem inside the schema document; empty for the root.</summary>
    public string Path { get; }

    /// <summary>The problem without the path.</summary>
    public string Reason { get; }
}

/// <summary>
/// Avro data could not be encoded or decoded: truncated or malformed bytes, a value that does not match its schema,
/// a bad container file. Never thrown for programming errors such as a null argument.
/// </summary>
public sealed class AvroDataException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong.</summary>
    public AvroDataException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
