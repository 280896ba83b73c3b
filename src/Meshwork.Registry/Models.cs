using System.Globalization;

namespace Meshwork.Registry;

/// <summary>A reference from a schema to another registered schema (Confluent's <c>{name, subject, version}</c>).</summary>
/// <param name="Name">What the referrer calls it: for Avro the referenced type's full name.</param>
/// <param name="Subject">The subject the referenced schema is registered under.</param>
/// <param name="Version">Its version there.</param>
public sealed record SchemaReference(string Name, string Subject, int Version);

/// <summary>A schema as a client submits it for registration, lookup or a compatibility test.</summary>
/// <param name="Schema">The schema text.</param>
/// <param name="SchemaType">AVRO (the default), JSON or PROTOBUF.</param>
/// <param name="References">References to other registered schemas; empty when none.</param>
/// <param name="Metadata">The data-contract <c>metadata</c> object as compact JSON, or null.</param>
/// <param name="RuleSet">The data-contract <c>ruleSet</c> object as compact JSON, or null.</param>
/// <param name="Id">An explicit id; honoured only in IMPORT mode.</param>
/// <param name="Version">An explicit version; honoured in IMPORT mode, otherwise it must be the next version.</param>
public sealed record SchemaRequest(
    string Schema,
    string SchemaType = "AVRO",
    IReadOnlyList<SchemaReference>? References = null,
    string? Metadata = null,
    string? RuleSet = null,
    int? Id = null,
    int? Version = null)
{
    /// <summary>The references, never null.</summary>
    public IReadOnlyList<SchemaReference> ReferenceList => References ?? [];
}

/// <summary>A schema as stored under its global id.</summary>
/// <param name="Id">The global id (the one in the wire format's 5-byte prefix).</param>
/// <param name="SchemaType">AVRO, JSON or PROTOBUF.</param>
/// <param name="Schema">The stored form.</param>
/// <param name="References">Its references.</param>
/// <param name="Metadata">Data-contract metadata as compact JSON, or null.</param>
/// <param name="RuleSet">Data-contract rule set as compact JSON, or null.</param>
public sealed record StoredSchema(int Id, string SchemaType, string Schema, IReadOnlyList<SchemaReference> References, string? Metadata, string? RuleSet);

/// <summary>One version of a subject.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Version">The version number, from 1.</param>
/// <param name="Deleted">Whether it was soft-deleted.</param>
/// <param name="Schema">The schema it points at.</param>
public sealed record SubjectVersion(string Subject, int Version, bool Deleted, StoredSchema Schema);

/// <summary>The outcome of a registration.</summary>
/// <param name="Id">The global schema id.</param>
/// <param name="Version">The version in the subject.</param>
/// <param name="Created">False when the schema was already registered under the subject (registration is idempotent).</param>
public sealed record RegisterResult(int Id, int Version, bool Created);

/// <summary>The outcome of a compatibility test.</summary>
/// <param name="IsCompatible">Whether the schema passes the subject's level.</param>
/// <param name="Messages">Why not, one line per problem and version.</param>
public sealed record CompatibilityResult(bool IsCompatible, IReadOnlyList<string> Messages);

/// <summary>A version selector in a URL: a number in [1, 2^31-1], or <c>latest</c> / <c>-1</c>.</summary>
public readonly record struct VersionSpec
{
    private VersionSpec(int number)
    {
        Number = number;
    }

    /// <summary>The latest version.</summary>
    public static VersionSpec Latest { get; } = new(-1);

    /// <summary>The version number; -1 for latest.</summary>
    public int Number { get; }

    /// <summary>Whether this selects the latest version.</summary>
    public bool IsLatest => Number == -1;

    /// <summary>A specific version.</summary>
    public static VersionSpec Of(int version) =>
        version >= 1 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "versions start at 1");

    /// <summary>Parses the URL form.</summary>
    /// <exception cref="SchemaRegistryException">42202 when it is neither a valid number nor <c>latest</c>.</exception>
    public static VersionSpec Parse(string text)
    {
        if (string.Equals(text, "latest", StringComparison.OrdinalIgnoreCase) || text == "-1")
        {
            return Latest;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1)
        {
            return new(number);
        }

        throw SchemaRegistryException.InvalidVersion(text);
    }

    /// <summary>"latest" or the number.</summary>
    public override string ToString() => IsLatest ? "latest" : Number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Which versions or subjects a listing includes.</summary>
public enum DeletedFilter
{
    /// <summary>Live ones only.</summary>
    LiveOnly,
    /// <summary>Live and soft-deleted.</summary>
    IncludeDeleted,
    /// <summary>Soft-deleted only.</summary>
    DeletedOnly,
}
