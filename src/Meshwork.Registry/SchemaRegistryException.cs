namespace Meshwork.Registry;

/// <summary>
/// A registry request that cannot be carried out, with the Confluent error code the REST API answers with
/// (<c>{"error_code": N, "message": "..."}</c>, HTTP status = the first three digits of N).
/// </summary>
public sealed class SchemaRegistryException : Exception
{
    /// <summary>Creates the exception with a Confluent error code and a message that says what to fix.</summary>
    public SchemaRegistryException(int errorCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The Confluent error code, for example 40401.</summary>
    public int ErrorCode { get; }

    /// <summary>The HTTP status: the first three digits of <see cref="ErrorCode"/>.</summary>
    public int HttpStatus => HttpStatusOf(ErrorCode);

    /// <summary>The HTTP status for an error code: the first three digits (a three-digit code is its own status).</summary>
    public static int HttpStatusOf(int errorCode)
    {
        var status = errorCode;
        while (status >= 1000)
        {
            status /= 10;
        }

        return status;
    }

    internal static SchemaRegistryException SubjectNotFound(string subject) => new(RegistryErrorCodes.SubjectNotFound, $"Subject '{subject}' not found.");

    internal static SchemaRegistryException VersionNotFound(string subject, string version) =>
        new(RegistryErrorCodes.VersionNotFound, $"Version {version} not found in subject '{subject}'.");

    internal static SchemaRegistryException SchemaNotFound(string what) => new(RegistryErrorCodes.SchemaNotFound, $"Schema {what} not found.");

    internal static SchemaRegistryException InvalidSchema(string message, Exception? inner = null) => new(RegistryErrorCodes.InvalidSchema, message, inner);

    internal static SchemaRegistryException InvalidVersion(string version) =>
        new(RegistryErrorCodes.InvalidVersion, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\" (or -1).");

    internal static SchemaRegistryException NotPermitted(string message) => new(RegistryErrorCodes.OperationNotPermitted, message);
}

/// <summary>The Confluent Schema Registry error codes this registry answers with.</summary>
public static class RegistryErrorCodes
{
    /// <summary>Subject not found.</summary>
    public const int SubjectNotFound = 40401;
    /// <summary>Version not found.</summary>
    public const int VersionNotFound = 40402;
    /// <summary>Schema (id) not found.</summary>
    public const int SchemaNotFound = 40403;
    /// <summary>Subject was soft-deleted.</summary>
    public const int SubjectSoftDeleted = 40404;
    /// <summary>Subject not soft-deleted before a permanent delete.</summary>
    public const int SubjectNotSoftDeleted = 40405;
    /// <summary>Version was soft-deleted.</summary>
    public const int VersionSoftDeleted = 40406;
    /// <summary>Version not soft-deleted before a permanent delete.</summary>
    public const int VersionNotSoftDeleted = 40407;
    /// <summary>No subject-level compatibility configured.</summary>
    public const int SubjectCompatibilityNotConfigured = 40408;
    /// <summary>No subject-level mode configured.</summary>
    public const int SubjectModeNotConfigured = 40409;
    /// <summary>Incompatible schema (the long-standing code; Confluent master now says 40901).</summary>
    public const int IncompatibleSchema = 409;
    /// <summary>Invalid schema or schema type.</summary>
    public const int InvalidSchema = 42201;
    /// <summary>The request body is not JSON, or not of the shape the endpoint reads (Confluent rest-utils' mapping).</summary>
    public const int BadRequest = 400;
    /// <summary>Invalid version.</summary>
    public const int InvalidVersion = 42202;
    /// <summary>Invalid compatibility level.</summary>
    public const int InvalidCompatibilityLevel = 42203;
    /// <summary>Invalid mode.</summary>
    public const int InvalidMode = 42204;
    /// <summary>Operation not permitted (mode).</summary>
    public const int OperationNotPermitted = 42205;
    /// <summary>The schema is referenced by another schema.</summary>
    public const int ReferenceExists = 42206;
    /// <summary>The id given in IMPORT mode belongs to another schema.</summary>
    public const int IdDoesNotMatch = 42207;
    /// <summary>Invalid subject name.</summary>
    public const int InvalidSubject = 42208;
    /// <summary>Schema (request body) too large.</summary>
    public const int SchemaTooLarge = 42209;
    /// <summary>The caller may not do this.</summary>
    public const int Forbidden = 40301;
    /// <summary>Unsupported request content type.</summary>
    public const int UnsupportedMediaType = 415;
    /// <summary>Metadata store failure.</summary>
    public const int StoreError = 50001;
}
