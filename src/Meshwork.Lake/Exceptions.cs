namespace Meshwork.Lake;

/// <summary>
/// Thrown when a commit lost the race: the table changed between reading its metadata and swapping in the new
/// one. <see cref="LakeTransaction.CommitAsync"/> retries these itself; callers see one only when retries run out.
/// </summary>
public sealed class CommitConflictException(string message) : Exception(message);

/// <summary>Thrown when a table does not exist.</summary>
public sealed class NoSuchTableException(string message) : Exception(message);

/// <summary>Thrown when creating a table that exists.</summary>
public sealed class TableAlreadyExistsException(string message) : Exception(message);

/// <summary>Thrown when a namespace does not exist.</summary>
public sealed class NoSuchNamespaceException(string message) : Exception(message);

/// <summary>Thrown when creating a namespace that exists.</summary>
public sealed class NamespaceAlreadyExistsException(string message) : Exception(message);

/// <summary>Thrown when dropping a namespace that still holds tables.</summary>
public sealed class NamespaceNotEmptyException(string message) : Exception(message);

/// <summary>A table's name: its namespace (one or more levels) and its name.</summary>
/// <param name="Namespace">Namespace levels, outermost first.</param>
/// <param name="Name">The table name.</param>
public sealed record TableIdentifier(IReadOnlyList<string> Namespace, string Name)
{
    /// <summary>Parses <c>a.b.table</c> (the last part is the table).</summary>
    public static TableIdentifier Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var parts = text.Split('.');
        return parts.Length < 2 || parts.Any(p => p.Length == 0)
            ? throw new ArgumentException($"'{text}' is not a table identifier (expected namespace.table)", nameof(text))
            : new TableIdentifier(parts[..^1], parts[^1]);
    }

    /// <summary>Dotted form.</summary>
    public override string ToString() => string.Join('.', [.. Namespace, Name]);

    /// <inheritdoc/>
    public bool Equals(TableIdentifier? other) => other is not null && other.Name == Name && other.Namespace.SequenceEqual(Namespace);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, string.Join('\u001f', Namespace));
}
