namespace Meshwork.Governance.Diagnostics;

/// <summary>How bad a diagnostic is. Errors block <c>mesh apply</c>; warnings are shown but do not block.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Shown, does not block an apply.</summary>
    Warning,

    /// <summary>Blocks an apply.</summary>
    Error,
}

/// <summary>A position in a descriptor file. Lines and columns are 1-based; 0 means "the whole file".</summary>
/// <param name="File">The file path as the user gave it (relative to the mesh root where possible).</param>
/// <param name="Line">1-based line, or 0 when the problem concerns the file as a whole.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location naming a whole file.</summary>
    public static SourceLocation OfFile(string file) => new(file, 0, 0);

    /// <summary><c>file:line:column</c>, omitting the parts that are unknown.</summary>
    public override string ToString() => Line == 0 ? File : Column == 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
}

/// <summary>
/// One problem found while loading, checking or planning a mesh: where, which rule (a stable id that
/// documentation and suppressions can refer to), what is wrong and how to fix it.
/// </summary>
/// <param name="RuleId">Stable rule id, e.g. <c>residency.allowed-regions</c>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Location">Where the problem is.</param>
/// <param name="Message">What is wrong, naming the key, field or value.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record Diagnostic(string RuleId, DiagnosticSeverity Severity, SourceLocation Location, string Message, string Fix)
{
    /// <summary>An error diagnostic.</summary>
    public static Diagnostic Error(string ruleId, SourceLocation location, string message, string fix) =>
        new(ruleId, DiagnosticSeverity.Error, location, message, fix);

    /// <summary>A warning diagnostic.</summary>
    public static Diagnostic Warning(string ruleId, SourceLocation location, string message, string fix) =>
        new(ruleId, DiagnosticSeverity.Warning, location, message, fix);

    /// <summary><c>file:line:col: error rule: message (fix: ...)</c>, the form compilers use so editors can jump to it.</summary>
    public override string ToString() =>
        $"{Location}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {RuleId}: {Message} Fix: {Fix}";
}

/// <summary>The stable rule ids. Documented in docs/descriptors.md; never renamed once released.</summary>
public static class RuleIds
{
    public const string YamlSyntax = "yaml.syntax";
    public const string UnknownKey = "descriptor.unknown-key";
    public const string WrongType = "descriptor.wrong-type";
    public const string MissingKey = "descriptor.missing-key";
    public const string InvalidValue = "descriptor.invalid-value";
    public const string MissingDomain = "mesh.missing-domain";
    public const string DomainMismatch = "mesh.domain-mismatch";
    public const string NoPolicies = "mesh.no-policies";
    public const string DuplicateDomain = "mesh.duplicate-domain";
    public const string DuplicateProduct = "mesh.duplicate-product";
    public const string LineageCycle = "lineage.cycle";
    public const string UnknownInput = "lineage.unknown-input";
    public const string InputWithoutContract = "lineage.input-without-contract";
    public const string SchemaMissingFile = "schema.missing-file";
    public const string SchemaInvalid = "schema.invalid";
    public const string SchemaUnknownKeyField = "schema.unknown-key-field";
    public const string StateEventsNeedKey = "product.state-events-need-key";
    public const string DeprecatedNeedsSunset = "product.deprecated-needs-sunset";
    public const string ResidencyAllowedRegions = "residency.allowed-regions";
    public const string ResidencyDomainRegion = "residency.domain-region";
    public const string ResidencyUnknownRegion = "residency.unknown-region";
    public const string CatalogRequireDescription = "catalog.require-description";
    public const string CatalogRequireOwner = "catalog.require-owner";
    public const string CatalogRequireSensitivityLabel = "catalog.require-sensitivity-label";
    public const string ClassificationPiiHandling = "classification.pii-handling";
    public const string ClassificationLabelRequired = "classification.label-required";
    public const string ClassificationSensitivityTooLow = "classification.sensitivity-too-low";
    public const string ClassificationInvalidPattern = "classification.invalid-pattern";
    public const string ContractExcludedFieldExposed = "contract.excluded-field-exposed";
    public const string ContractPiiFieldExposed = "contract.pii-field-exposed";
    public const string ContractUnknownField = "contract.unknown-field";
    public const string ContractUnknownConsumer = "contract.unknown-consumer";
    public const string AccessApproversRequired = "access.approvers-required";
    public const string BreakingChangeNeedsMajor = "schema.breaking-change-needs-major";
    public const string DestroyWithConsumers = "plan.destroy-with-consumers";
    public const string TopicPartitionsDecrease = "topic.partitions-decrease";
    public const string OdcsInvalid = "odcs.invalid";
    public const string OdcsIgnoredKey = "odcs.ignored-key";
}
