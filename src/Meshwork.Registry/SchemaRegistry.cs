using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Meshwork.Metadata;
using Meshwork.Registry.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Registry;

/// <summary>
/// The schema registry over the metadata store: subjects, versions, global ids, references, compatibility and modes,
/// with Confluent Schema Registry semantics. Thread-safe; several instances (replicas) may share one PostgreSQL store.
/// </summary>
public sealed partial class SchemaRegistry
{
    /// <summary>The compatibility level in force when none is configured (Confluent's default).</summary>
    public const CompatibilityLevel DefaultCompatibility = CompatibilityLevel.Backward;

    /// <summary>The reserved subject name under which global settings are stored.</summary>
    internal const string GlobalKey = "__GLOBAL";

    private const int MaxConflictRetries = 5;
    private const int MaxReferenceDepth = 64;
    private const int MaxSubjectLength = 255;

    private readonly IMetadataStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // Ids are immutable, so a parsed schema never goes stale; this is what keeps the broker's per-record check free
    // of database round trips.
    private readonly ConcurrentDictionary<int, ParsedSchema> _parsedById = new();

    // (id, subject) → registered under it as a live version. Deletes in this process invalidate the subject's entries.
    private readonly ConcurrentDictionary<(int Id, string Subject), bool> _registeredUnder = new();

    // Misses are remembered briefly: a producer sending an unknown id must not cost a query per record, yet a schema
    // registered through another replica must become visible soon.
    private static readonly TimeSpan NegativeCacheTime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<int, DateTimeOffset> _missingIds = new();
    private readonly ConcurrentDictionary<(int Id, string Subject), DateTimeOffset> _notRegisteredUnder = new();

    // GET /schemas/ids/{id} answers. A schema row never changes and ids are never reused; only whether some version
    // still uses the id can change (a permanent delete of the last one hides it). This instance's deletes drop every
    // entry at once; deletes through another replica show when an entry expires.
    private static readonly TimeSpan LiveSchemaCacheTime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<int, (StoredSchema Schema, DateTimeOffset Until)> _liveSchemaById = new();

    /// <summary>Creates the registry over a migrated store.</summary>
    public SchemaRegistry(IMetadataStore store, SchemaFormatRegistry? formats = null, ILogger<SchemaRegistry>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Formats = formats ?? new SchemaFormatRegistry();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The schema formats this registry accepts (AVRO and JSON unless the host passed its own set).</summary>
    public SchemaFormatRegistry Formats { get; }

    // ---------------------------------------------------------------- hot path (broker)

    /// <summary>
    /// The parsed schema with global id <paramref name="id"/>, or null when there is none. Served from memory after the
    /// first call for an id (ids are immutable); only that first call reads the store, synchronously.
    /// </summary>
    public ParsedSchema? TryGetSchemaById(int id)
    {
        if (_parsedById.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (id <= 0 || (_missingIds.TryGetValue(id, out var until) && until > _time.GetUtcNow()))
        {
            return null;
        }

        // A miss happens once per id per process; blocking here keeps the broker's validation call synchronous.
        var loaded = LoadParsedAsync(id, CancellationToken.None).GetAwaiter().GetResult();
        if (loaded is null)
        {
            _missingIds[id] = _time.GetUtcNow() + NegativeCacheTime;
        }

        return loaded;
    }

    /// <summary>
    /// Checks that <paramref name="payload"/> (a record's bytes after the 5-byte wire prefix) is one valid value of schema
    /// <paramref name="schemaId"/>: the broker's <c>full</c> validation. False with a reason when the id is unknown, its
    /// format is not available, or the payload does not decode.
    /// </summary>
    public bool TryValidatePayload(int schemaId, ReadOnlySpan<byte> payload, out string? error)
    {
        if (TryGetSchemaById(schemaId) is not { } schema)
        {
            error = $"schema id {schemaId} is not registered";
            return false;
        }

        if (Formats.Find(schema.SchemaType) is not { } format)
        {
            error = $"schema type {schema.SchemaType} is not available";
            return false;
        }

        return format.ValidatePayload(schema, payload, out error);
    }

    /// <summary>Like <see cref="TryGetSchemaById"/>, reading the store asynchronously on a miss.</summary>
    public async ValueTask<ParsedSchema?> GetParsedSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        _parsedById.TryGetValue(id, out var cached) ? cached : id <= 0 ? null : await LoadParsedAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Whether schema <paramref name="id"/> is a live version of <paramref name="subject"/>. Cached in memory; deletes made
    /// through this instance invalidate the subject's entries.
    /// </summary>
    public bool IsRegisteredUnderSubject(int id, string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (_registeredUnder.TryGetValue((id, subject), out var registered))
        {
            return registered;
        }

        if (_notRegisteredUnder.TryGetValue((id, subject), out var until) && until > _time.GetUtcNow())
        {
            return false;
        }

        registered = IsRegisteredUnderSubjectCoreAsync(id, subject).GetAwaiter().GetResult();
        if (registered)
        {
            _registeredUnder[(id, subject)] = true;
        }
        else
        {
            _notRegisteredUnder[(id, subject)] = _time.GetUtcNow() + NegativeCacheTime;
        }

        return registered;
    }

    private async Task<bool> IsRegisteredUnderSubjectCoreAsync(int id, string subject)
    {
        await using var connection = await _store.OpenConnectionAsync().ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM registry_versions WHERE subject = @subject AND schema_id = @id AND deleted = 0",
            new { subject, id }).ConfigureAwait(false);
        return count > 0;
    }

    private async Task<ParsedSchema?> LoadParsedAsync(int id, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await FindSchemaRowAsync(connection, null, id).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var stored = row.ToStored();
        var format = Formats.Find(stored.SchemaType);
        if (format is null)
        {
            return null;
        }

        try
        {
            var references = await ResolveReferencesAsync(connection, null, stored.References, cancellationToken).ConfigureAwait(false);
            return _parsedById.GetOrAdd(id, format.Parse(stored.Schema, references));
        }
        catch (Exception e) when (e is SchemaParseException or SchemaRegistryException)
        {
            // Only possible if the store was edited by hand or a format became stricter; the id then reads as unknown.
            LogUnparseable(_logger, id, e);
            return null;
        }
    }

    // ---------------------------------------------------------------- registration and lookup

    /// <summary>
    /// Registers <paramref name="request"/> under <paramref name="subject"/> (Confluent's register algorithm): idempotent for a
    /// schema already live in the subject, reusing the global id of identical content under any subject, checking the
    /// subject's compatibility level against live versions, honouring explicit ids and versions in IMPORT mode.
    /// </summary>
    /// <exception cref="SchemaRegistryException">42201 invalid schema, 409 incompatible, 42205 mode, 42207 id clash, 42208 subject.</exception>
    public async Task<RegisterResult> RegisterAsync(string subject, SchemaRequest request, bool normalize = false, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject);
        ArgumentNullException.ThrowIfNull(request);
        var format = Formats.Get(request.SchemaType);
        var result = await WithConflictRetryAsync(
            () => _store.InTransactionAsync((c, t) => RegisterCoreAsync(c, t, subject, request, format, normalize, cancellationToken), cancellationToken),
            cancellationToken).ConfigureAwait(false);
        _registeredUnder[(result.Result.Id, subject)] = true;
        _notRegisteredUnder.TryRemove((result.Result.Id, subject), out _);
        _missingIds.TryRemove(result.Result.Id, out _);
        _parsedById.TryAdd(result.Result.Id, result.Parsed);
        if (result.Result.Created)
        {
            LogRegistered(_logger, subject, result.Result.Version, result.Result.Id, request.SchemaType);
        }

        return result.Result;
    }

    private async Task<(RegisterResult Result, ParsedSchema Parsed)> RegisterCoreAsync(
        DbConnection c, DbTransaction t, string subject, SchemaRequest request, ISchemaFormat format, bool normalize, CancellationToken cancellationToken)
    {
        var mode = await EffectiveModeAsync(c, t, subject).ConfigureAwait(false);
        var import = mode == RegistryMode.Import;
        if (mode is RegistryMode.ReadOnly or RegistryMode.ReadOnlyOverride)
        {
            throw SchemaRegistryException.NotPermitted($"Subject '{subject}' is in read-only mode; set its mode (or the global mode) to READWRITE to register.");
        }

        if (request.Id is not null && !import)
        {
            throw SchemaRegistryException.NotPermitted($"Subject '{subject}' is not in import mode; an explicit schema id is only accepted in IMPORT mode.");
        }

        if (import && request.Id is null)
        {
            throw SchemaRegistryException.NotPermitted($"Subject '{subject}' is in import mode; registrations must give an explicit id (and version).");
        }

        if (request.Id is <= 0)
        {
            throw SchemaRegistryException.InvalidSchema($"Schema id {request.Id} is invalid; ids are positive.");
        }

        var (parsed, stored) = await ParseAsync(c, t, request, format, normalize, cancellationToken).ConfigureAwait(false);
        var hash = IdentityHash(request.SchemaType, stored, request.ReferenceList, request.Metadata, request.RuleSet);
        var versions = await ReadVersionsAsync(c, t, subject).ConfigureAwait(false);
        var existing = await c.QuerySingleOrDefaultAsync<SchemaRow>(SelectSchema + " WHERE identity_hash = @hash", new { hash }, t).ConfigureAwait(false);

        if (existing is not null && versions.FirstOrDefault(v => v.SchemaId == existing.Id && v.Deleted == 0) is { } same
            && (!import || request.Version is null || request.Version == same.Version))
        {
            return (new RegisterResult((int)existing.Id, (int)same.Version, Created: false), parsed);
        }

        var nextVersion = versions.Count == 0 ? 1 : (int)versions.Max(v => v.Version) + 1;
        int version;
        if (import)
        {
            version = request.Version ?? nextVersion;
            if (version <= 0)
            {
                throw SchemaRegistryException.InvalidVersion(version.ToString(CultureInfo.InvariantCulture));
            }

            if (versions.Any(v => v.Version == version))
            {
                throw new SchemaRegistryException(RegistryErrorCodes.InvalidVersion, $"Version {version} already exists in subject '{subject}' with another schema.");
            }
        }
        else
        {
            if (request.Version is { } wanted && wanted != nextVersion)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.InvalidVersion,
                    $"Version {wanted} cannot be registered in subject '{subject}': the next version is {nextVersion} (explicit versions other than the next one need IMPORT mode).");
            }

            version = nextVersion;
            var level = await EffectiveCompatibilityAsync(c, t, subject).ConfigureAwait(false);
            var check = await CheckAgainstVersionsAsync(c, t, subject, versions.Where(v => v.Deleted == 0).ToList(), format, parsed, request.SchemaType, level, cancellationToken).ConfigureAwait(false);
            if (!check.IsCompatible)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.IncompatibleSchema,
                    $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", check.Messages)}]");
            }
        }

        long id;
        if (import)
        {
            id = request.Id!.Value;
            var holder = await FindSchemaRowAsync(c, t, (int)id).ConfigureAwait(false);
            if (holder is not null && holder.IdentityHash != hash)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.IdDoesNotMatch,
                    $"Schema id {id} is already used by a different schema; import it under its original id or pick a free one.");
            }

            if (holder is null)
            {
                if (existing is not null)
                {
                    throw new SchemaRegistryException(RegistryErrorCodes.IdDoesNotMatch,
                        $"This schema is already registered with id {existing.Id}, not {id}.");
                }

                await InsertSchemaAsync(c, t, id, hash, request, stored).ConfigureAwait(false);
            }
        }
        else if (existing is not null)
        {
            id = existing.Id;
        }
        else
        {
            id = await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) + 1 FROM registry_schemas", transaction: t).ConfigureAwait(false);
            if (id > int.MaxValue)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.StoreError, "No schema ids are left (the id space of 2^31-1 is used up).");
            }

            await InsertSchemaAsync(c, t, id, hash, request, stored).ConfigureAwait(false);
        }

        await c.ExecuteAsync(
            "INSERT INTO registry_versions (subject, version, schema_id, deleted, created_at) VALUES (@subject, @version, @id, 0, @now)",
            new { subject, version, id, now = Now() }, t).ConfigureAwait(false);
        return (new RegisterResult((int)id, version, Created: true), parsed);
    }

    private async Task InsertSchemaAsync(DbConnection c, DbTransaction t, long id, string hash, SchemaRequest request, string stored)
    {
        await c.ExecuteAsync(
            "INSERT INTO registry_schemas (id, identity_hash, schema_type, schema_text, references_json, metadata_json, rule_set_json, created_at) " +
            "VALUES (@id, @hash, @type, @stored, @refs, @metadata, @ruleSet, @now)",
            new { id, hash, type = request.SchemaType, stored, refs = ReferencesJson(request.ReferenceList), metadata = request.Metadata, ruleSet = request.RuleSet, now = Now() },
            t).ConfigureAwait(false);
        foreach (var reference in request.ReferenceList)
        {
            await c.ExecuteAsync(
                "INSERT INTO registry_references (schema_id, name, ref_subject, ref_version) VALUES (@id, @name, @subject, @version)",
                new { id, name = reference.Name, subject = reference.Subject, version = reference.Version }, t).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Finds the version of <paramref name="subject"/> holding <paramref name="request"/> (POST /subjects/{s}).
    /// </summary>
    /// <exception cref="SchemaRegistryException">40401 unknown subject, 40403 schema not registered there, 42201 invalid schema.</exception>
    public async Task<SubjectVersion> LookupAsync(string subject, SchemaRequest request, bool normalize = false, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var format = Formats.Get(request.SchemaType);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var versions = (await ReadVersionsAsync(c, null, subject).ConfigureAwait(false)).Where(v => includeDeleted || v.Deleted == 0).ToList();
        if (versions.Count == 0)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        var (parsed, stored) = await ParseAsync(c, null, request, format, normalize, cancellationToken).ConfigureAwait(false);
        var hash = IdentityHash(request.SchemaType, stored, request.ReferenceList, request.Metadata, request.RuleSet);
        foreach (var v in versions.OrderByDescending(v => v.Version))
        {
            var row = (await FindSchemaRowAsync(c, null, (int)v.SchemaId).ConfigureAwait(false))!;
            var match = row.IdentityHash == hash;
            if (!match && normalize && row.SchemaType == request.SchemaType && ReferencesJson(request.ReferenceList) == row.ReferencesJson)
            {
                // A version registered without normalize=true matches when the normalized forms agree.
                var other = await GetParsedSchemaAsync((int)row.Id, cancellationToken).ConfigureAwait(false);
                match = other is not null && other.NormalizedString == parsed.NormalizedString;
            }

            if (match)
            {
                return new SubjectVersion(subject, (int)v.Version, v.Deleted != 0, row.ToStored());
            }
        }

        throw SchemaRegistryException.SchemaNotFound($"not found under subject '{subject}'");
    }

    // ---------------------------------------------------------------- reads

    /// <summary>Subjects, optionally filtered by prefix and by deletion state, sorted.</summary>
    public async Task<IReadOnlyList<string>> GetSubjectsAsync(string? prefix = null, DeletedFilter filter = DeletedFilter.LiveOnly, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string Subject, long Live, long Total)>(
            "SELECT subject, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END), COUNT(*) FROM registry_versions GROUP BY subject").ConfigureAwait(false);
        return [.. rows
            .Where(r => prefix is null || r.Subject.StartsWith(prefix, StringComparison.Ordinal))
            .Where(r => filter switch
            {
                DeletedFilter.LiveOnly => r.Live > 0,
                DeletedFilter.DeletedOnly => r.Live == 0,
                _ => true,
            })
            .Select(r => r.Subject)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The version numbers of a subject.</summary>
    /// <exception cref="SchemaRegistryException">40401 when the subject has no versions that pass the filter.</exception>
    public async Task<IReadOnlyList<int>> GetVersionsAsync(string subject, DeletedFilter filter = DeletedFilter.LiveOnly, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var versions = await ReadVersionsAsync(c, null, subject).ConfigureAwait(false);
        var selected = versions.Where(v => filter switch
        {
            DeletedFilter.LiveOnly => v.Deleted == 0,
            DeletedFilter.DeletedOnly => v.Deleted != 0,
            _ => true,
        }).Select(v => (int)v.Version).Order().ToList();
        if (selected.Count == 0 && (filter != DeletedFilter.DeletedOnly || versions.Count == 0))
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        return selected;
    }

    /// <summary>One version of a subject.</summary>
    /// <exception cref="SchemaRegistryException">40401 unknown subject, 40402 unknown (or soft-deleted) version.</exception>
    public async Task<SubjectVersion> GetVersionAsync(string subject, VersionSpec version, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await FindVersionAsync(c, null, subject, version, includeDeleted).ConfigureAwait(false);
        var schema = (await FindSchemaRowAsync(c, null, (int)row.SchemaId).ConfigureAwait(false))!;
        return new SubjectVersion(subject, (int)row.Version, row.Deleted != 0, schema.ToStored());
    }

    /// <summary>The ids of schemas that reference this version (live referrers only).</summary>
    public async Task<IReadOnlyList<int>> GetReferencedByAsync(string subject, VersionSpec version, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await FindVersionAsync(c, null, subject, version, includeDeleted: false).ConfigureAwait(false);
        return await ReferrersAsync(c, null, subject, (int)row.Version, liveOnly: true).ConfigureAwait(false);
    }

    /// <summary>The schema with a global id; with <paramref name="subject"/>, only when registered under that subject.</summary>
    /// <exception cref="SchemaRegistryException">40403 when there is no such schema (or no version uses it any more).</exception>
    public async Task<StoredSchema> GetSchemaByIdAsync(int id, string? subject = null, CancellationToken cancellationToken = default)
    {
        // What every deserializer asks for each id it has not cached yet: served from memory when possible, otherwise
        // in one round trip. An id no version uses any more (all hard-deleted) reads as unknown.
        if (subject is null && _liveSchemaById.TryGetValue(id, out var cached) && cached.Until > _time.GetUtcNow())
        {
            return cached.Schema;
        }

        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<SchemaRow>(
            SelectSchema + " WHERE id = @id AND EXISTS (SELECT 1 FROM registry_versions v WHERE v.schema_id = registry_schemas.id"
                + (subject is null ? ")" : " AND v.subject = @subject)"),
            new { id, subject }).ConfigureAwait(false);
        var schema = row?.ToStored() ?? throw SchemaRegistryException.SchemaNotFound($"with id {id}");
        if (subject is null)
        {
            _liveSchemaById[id] = (schema, _time.GetUtcNow() + LiveSchemaCacheTime);
        }

        return schema;
    }

    /// <summary>The highest schema id assigned so far (0 when none).</summary>
    public async Task<int> GetMaxIdAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (int)await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM registry_schemas").ConfigureAwait(false);
    }

    /// <summary>The subject versions that use a schema id.</summary>
    /// <exception cref="SchemaRegistryException">40403 when none do.</exception>
    public async Task<IReadOnlyList<(string Subject, int Version)>> GetVersionsForIdAsync(int id, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var uses = await ReadUsesAsync(c, id).ConfigureAwait(false);
        if (uses.Count == 0)
        {
            throw SchemaRegistryException.SchemaNotFound($"with id {id}");
        }

        return [.. uses.Where(u => includeDeleted || u.Deleted == 0).Select(u => (u.Subject, (int)u.Version))];
    }

    /// <summary>Every subject version, for GET /schemas.</summary>
    public async Task<IReadOnlyList<SubjectVersion>> GetSchemasAsync(string? subjectPrefix = null, bool includeDeleted = false, bool latestOnly = false, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var versions = (await c.QueryAsync<VersionRow>(SelectVersion + " ORDER BY subject, version").ConfigureAwait(false))
            .Where(v => includeDeleted || v.Deleted == 0)
            .Where(v => subjectPrefix is null || v.Subject.StartsWith(subjectPrefix, StringComparison.Ordinal))
            .ToList();
        if (latestOnly)
        {
            versions = [.. versions.GroupBy(v => v.Subject, StringComparer.Ordinal).Select(g => g.MaxBy(v => v.Version)!)];
        }

        var result = new List<SubjectVersion>(versions.Count);
        var schemas = new Dictionary<long, StoredSchema>();
        foreach (var v in versions)
        {
            if (!schemas.TryGetValue(v.SchemaId, out var schema))
            {
                schema = (await FindSchemaRowAsync(c, null, (int)v.SchemaId).ConfigureAwait(false))!.ToStored();
                schemas[v.SchemaId] = schema;
            }

            result.Add(new SubjectVersion(v.Subject, (int)v.Version, v.Deleted != 0, schema));
        }

        return result;
    }

    // ---------------------------------------------------------------- compatibility

    /// <summary>
    /// Tests <paramref name="request"/> against one version of the subject (<paramref name="version"/> given) or against every
    /// version the subject's level requires (null). A subject with no versions is compatible with anything in the latter form.
    /// </summary>
    /// <exception cref="SchemaRegistryException">40401, 40402 for an explicit version that does not exist; 42201 invalid schema.</exception>
    public async Task<CompatibilityResult> TestCompatibilityAsync(string subject, VersionSpec? version, SchemaRequest request, bool normalize = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var format = Formats.Get(request.SchemaType);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // The schema is validated first, so that an invalid one is 42201 whatever the subject holds.
        var (parsed, _) = await ParseAsync(c, null, request, format, normalize, cancellationToken).ConfigureAwait(false);
        List<VersionRow> against;
        if (version is { } v)
        {
            against = [await FindVersionAsync(c, null, subject, v, includeDeleted: false).ConfigureAwait(false)];
        }
        else
        {
            against = [.. (await ReadVersionsAsync(c, null, subject).ConfigureAwait(false)).Where(x => x.Deleted == 0)];
        }

        var level = await EffectiveCompatibilityAsync(c, null, subject).ConfigureAwait(false);
        if (version is not null && level.IsTransitive())
        {
            // An explicit version is one comparison, whatever the level's reach.
            level = level switch
            {
                CompatibilityLevel.BackwardTransitive => CompatibilityLevel.Backward,
                CompatibilityLevel.ForwardTransitive => CompatibilityLevel.Forward,
                _ => CompatibilityLevel.Full,
            };
        }

        return await CheckAgainstVersionsAsync(c, null, subject, against, format, parsed, request.SchemaType, level, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CompatibilityResult> CheckAgainstVersionsAsync(
        DbConnection c, DbTransaction? t, string subject, List<VersionRow> live, ISchemaFormat format, ParsedSchema parsed, string schemaType,
        CompatibilityLevel level, CancellationToken cancellationToken)
    {
        if (level.Direction() is not { } direction || live.Count == 0)
        {
            return new CompatibilityResult(true, []);
        }

        var ordered = live.OrderByDescending(v => v.Version).ToList();
        var targets = level.IsTransitive() ? ordered : [ordered[0]];
        var messages = new List<string>();
        foreach (var target in targets)
        {
            var row = (await FindSchemaRowAsync(c, t, (int)target.SchemaId).ConfigureAwait(false))!;
            if (row.SchemaType != schemaType)
            {
                messages.Add($"Incompatible because of different schema type: version {target.Version} is {row.SchemaType}, the new schema is {schemaType}");
                break;
            }

            var older = _parsedById.TryGetValue((int)row.Id, out var cached) ? cached
                : format.Parse(row.SchemaText, await ResolveReferencesAsync(c, t, row.ToStored().References, cancellationToken).ConfigureAwait(false));
            var problems = format.CheckCompatibility(older, parsed, direction);
            if (problems.Count > 0)
            {
                messages.AddRange(problems);
                messages.Add($"{{oldSchemaVersion: {target.Version}}}");
                messages.Add($"{{oldSchema: '{row.SchemaText}'}}");
                messages.Add($"{{compatibility: '{level.ToWire()}'}}");

                // Confluent stops at the first incompatible version, newest first.
                break;
            }
        }

        return new CompatibilityResult(messages.Count == 0, messages);
    }

    // ---------------------------------------------------------------- deletes

    /// <summary>Soft-deletes (or, after a soft delete, permanently deletes) one version; returns its number.</summary>
    /// <exception cref="SchemaRegistryException">40401, 40402, 40406, 40407, 42205 (mode), 42206 (referenced).</exception>
    public async Task<int> DeleteVersionAsync(string subject, VersionSpec version, bool permanent = false, CancellationToken cancellationToken = default)
    {
        var deleted = await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            await RequireWritableAsync(c, t, subject).ConfigureAwait(false);
            var versions = await ReadVersionsAsync(c, t, subject).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                throw SchemaRegistryException.SubjectNotFound(subject);
            }

            VersionRow? row = version.IsLatest
                ? (permanent ? versions : versions.Where(v => v.Deleted == 0)).MaxBy(v => v.Version)
                : versions.FirstOrDefault(v => v.Version == version.Number);
            if (row is null)
            {
                throw SchemaRegistryException.VersionNotFound(subject, version.ToString());
            }

            if (!permanent && row.Deleted != 0)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.VersionSoftDeleted,
                    $"Version {row.Version} of subject '{subject}' was soft deleted. Set permanent=true to delete permanently.");
            }

            if (permanent && row.Deleted == 0)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.VersionNotSoftDeleted,
                    $"Version {row.Version} of subject '{subject}' must be soft deleted first; delete it without permanent=true, then again with it.");
            }

            var referrers = await ReferrersAsync(c, t, subject, (int)row.Version, liveOnly: !permanent).ConfigureAwait(false);
            if (referrers.Count > 0)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.ReferenceExists,
                    $"Version {row.Version} of subject '{subject}' is referenced by schema ids [{string.Join(", ", referrers)}]; delete those first.");
            }

            await c.ExecuteAsync(
                permanent ? "DELETE FROM registry_versions WHERE subject = @subject AND version = @version"
                    : "UPDATE registry_versions SET deleted = 1 WHERE subject = @subject AND version = @version",
                new { subject, version = row.Version }, t).ConfigureAwait(false);
            return (int)row.Version;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        ForgetSubject(subject);
        LogVersionDeleted(_logger, subject, deleted, permanent);
        return deleted;
    }

    /// <summary>Soft-deletes every live version (or, after that, permanently deletes the subject); returns the versions.</summary>
    /// <exception cref="SchemaRegistryException">40401, 40404, 40405, 42205 (mode), 42206 (referenced).</exception>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent = false, CancellationToken cancellationToken = default)
    {
        var deleted = await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            await RequireWritableAsync(c, t, subject).ConfigureAwait(false);
            var versions = await ReadVersionsAsync(c, t, subject).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                throw SchemaRegistryException.SubjectNotFound(subject);
            }

            var live = versions.Where(v => v.Deleted == 0).ToList();
            if (!permanent && live.Count == 0)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.SubjectSoftDeleted,
                    $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently.");
            }

            if (permanent && live.Count > 0)
            {
                throw new SchemaRegistryException(RegistryErrorCodes.SubjectNotSoftDeleted,
                    $"Subject '{subject}' must be soft deleted first; delete it without permanent=true, then again with it.");
            }

            var targets = permanent ? versions : live;
            foreach (var v in targets)
            {
                var referrers = (await ReferrersAsync(c, t, subject, (int)v.Version, liveOnly: !permanent).ConfigureAwait(false))
                    .Where(id => !targets.Any(x => x.SchemaId == id)).ToList();
                if (referrers.Count > 0)
                {
                    throw new SchemaRegistryException(RegistryErrorCodes.ReferenceExists,
                        $"Version {v.Version} of subject '{subject}' is referenced by schema ids [{string.Join(", ", referrers)}]; delete those first.");
                }
            }

            if (permanent)
            {
                await c.ExecuteAsync("DELETE FROM registry_versions WHERE subject = @subject", new { subject }, t).ConfigureAwait(false);
                await c.ExecuteAsync("DELETE FROM registry_config WHERE subject = @subject", new { subject }, t).ConfigureAwait(false);
                await c.ExecuteAsync("DELETE FROM registry_mode WHERE subject = @subject", new { subject }, t).ConfigureAwait(false);
            }
            else
            {
                await c.ExecuteAsync("UPDATE registry_versions SET deleted = 1 WHERE subject = @subject", new { subject }, t).ConfigureAwait(false);
            }

            return (IReadOnlyList<int>)[.. targets.Select(v => (int)v.Version).Order()];
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        ForgetSubject(subject);
        LogSubjectDeleted(_logger, subject, deleted.Count, permanent);
        return deleted;
    }

    private void ForgetSubject(string subject)
    {
        // Deletes are rare and may hide ids from GET /schemas/ids: start that cache afresh.
        _liveSchemaById.Clear();
        foreach (var key in _registeredUnder.Keys)
        {
            if (key.Subject == subject)
            {
                _registeredUnder.TryRemove(key, out _);
            }
        }
    }

    // ---------------------------------------------------------------- configuration and modes

    /// <summary>The global compatibility level.</summary>
    public async Task<CompatibilityLevel> GetGlobalCompatibilityAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadCompatibilityAsync(c, null, GlobalKey).ConfigureAwait(false) ?? DefaultCompatibility;
    }

    /// <summary>The subject-level compatibility, or null when none is set.</summary>
    public async Task<CompatibilityLevel?> GetSubjectCompatibilityAsync(string subject, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadCompatibilityAsync(c, null, subject).ConfigureAwait(false);
    }

    /// <summary>Sets the level for a subject, or globally when <paramref name="subject"/> is null.</summary>
    /// <exception cref="SchemaRegistryException">42205 when the subject (or registry) is read-only; 42208 invalid subject.</exception>
    public async Task SetCompatibilityAsync(string? subject, CompatibilityLevel level, CancellationToken cancellationToken = default)
    {
        if (subject is not null)
        {
            ValidateSubject(subject);
        }

        var key = subject ?? GlobalKey;
        await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            await RequireWritableAsync(c, t, subject).ConfigureAwait(false);
            await UpsertAsync(c, t, "registry_config", "compatibility", key, level.ToWire()).ConfigureAwait(false);
            return 0;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        LogCompatibilitySet(_logger, subject ?? "(global)", level.ToWire());
    }

    /// <summary>Removes the subject-level (or resets the global) compatibility; returns the level in force before.</summary>
    /// <exception cref="SchemaRegistryException">40401 unknown subject; 40408 no subject-level setting.</exception>
    public async Task<CompatibilityLevel> DeleteCompatibilityAsync(string? subject, CancellationToken cancellationToken = default)
    {
        var key = subject ?? GlobalKey;
        var previous = await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            await RequireWritableAsync(c, t, subject).ConfigureAwait(false);
            var current = await ReadCompatibilityAsync(c, t, key).ConfigureAwait(false);
            if (subject is not null && current is null)
            {
                throw (await ReadVersionsAsync(c, t, subject).ConfigureAwait(false)).Count == 0
                    ? SchemaRegistryException.SubjectNotFound(subject)
                    : new SchemaRegistryException(RegistryErrorCodes.SubjectCompatibilityNotConfigured, $"Subject '{subject}' does not have subject-level compatibility configured");
            }

            await c.ExecuteAsync("DELETE FROM registry_config WHERE subject = @key", new { key }, t).ConfigureAwait(false);
            return current ?? DefaultCompatibility;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        LogCompatibilitySet(_logger, subject ?? "(global)", "(removed)");
        return previous;
    }

    /// <summary>The global mode.</summary>
    public async Task<RegistryMode> GetGlobalModeAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadModeAsync(c, null, GlobalKey).ConfigureAwait(false) ?? RegistryMode.ReadWrite;
    }

    /// <summary>The subject-level mode, or null when none is set.</summary>
    public async Task<RegistryMode?> GetSubjectModeAsync(string subject, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadModeAsync(c, null, subject).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets the mode for a subject, or globally when <paramref name="subject"/> is null. IMPORT requires the subject (or the
    /// whole registry) to hold no versions, soft-deleted ones included, unless <paramref name="force"/>.
    /// </summary>
    /// <exception cref="SchemaRegistryException">42205 when IMPORT is refused; 42208 invalid subject.</exception>
    public async Task SetModeAsync(string? subject, RegistryMode mode, bool force = false, CancellationToken cancellationToken = default)
    {
        if (subject is not null)
        {
            ValidateSubject(subject);
        }

        var key = subject ?? GlobalKey;
        await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            if (mode == RegistryMode.Import && !force)
            {
                var count = subject is null
                    ? await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM registry_versions", transaction: t).ConfigureAwait(false)
                    : await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM registry_versions WHERE subject = @subject", new { subject }, t).ConfigureAwait(false);
                if (count > 0)
                {
                    throw SchemaRegistryException.NotPermitted(
                        $"Cannot import since found existing subjects{(subject is null ? "" : $" ('{subject}' has versions)")}; use force=true to switch to IMPORT anyway.");
                }
            }

            await UpsertAsync(c, t, "registry_mode", "mode", key, mode.ToWire()).ConfigureAwait(false);
            return 0;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        LogModeSet(_logger, subject ?? "(global)", mode.ToWire());
    }

    /// <summary>Removes the subject-level (or resets the global) mode; returns the mode in force before.</summary>
    /// <exception cref="SchemaRegistryException">40401 unknown subject; 40409 no subject-level mode.</exception>
    public async Task<RegistryMode> DeleteModeAsync(string? subject, CancellationToken cancellationToken = default)
    {
        var key = subject ?? GlobalKey;
        var previous = await WithConflictRetryAsync(() => _store.InTransactionAsync(async (c, t) =>
        {
            var current = await ReadModeAsync(c, t, key).ConfigureAwait(false);
            if (subject is not null && current is null)
            {
                throw (await ReadVersionsAsync(c, t, subject).ConfigureAwait(false)).Count == 0
                    ? SchemaRegistryException.SubjectNotFound(subject)
                    : new SchemaRegistryException(RegistryErrorCodes.SubjectModeNotConfigured, $"Subject '{subject}' does not have subject-level mode configured");
            }

            await c.ExecuteAsync("DELETE FROM registry_mode WHERE subject = @key", new { key }, t).ConfigureAwait(false);
            return current ?? RegistryMode.ReadWrite;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        LogModeSet(_logger, subject ?? "(global)", "(removed)");
        return previous;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Checks a subject name: non-empty, at most 255 characters, no control characters, not reserved.</summary>
    /// <exception cref="SchemaRegistryException">42208.</exception>
    public static void ValidateSubject(string subject)
    {
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength || subject.Any(char.IsControl)
            || subject.StartsWith("__GLOBAL", StringComparison.Ordinal) || subject.StartsWith("__EMPTY", StringComparison.Ordinal))
        {
            throw new SchemaRegistryException(RegistryErrorCodes.InvalidSubject,
                $"The specified subject '{subject}' is not valid: subjects are 1 to {MaxSubjectLength} characters without control characters and may not start with __GLOBAL or __EMPTY.");
        }
    }

    private async Task<(ParsedSchema Parsed, string Stored)> ParseAsync(
        DbConnection c, DbTransaction? t, SchemaRequest request, ISchemaFormat format, bool normalize, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Schema))
        {
            throw SchemaRegistryException.InvalidSchema("Invalid schema: the schema is empty.");
        }

        var references = await ResolveReferencesAsync(c, t, request.ReferenceList, cancellationToken).ConfigureAwait(false);
        try
        {
            var parsed = format.Parse(request.Schema, references);
            return (parsed, normalize ? parsed.NormalizedString : parsed.CanonicalString);
        }
        catch (SchemaParseException e)
        {
            throw SchemaRegistryException.InvalidSchema(e.Message, e);
        }
    }

    private async Task<List<ResolvedReference>> ResolveReferencesAsync(DbConnection c, DbTransaction? t, IReadOnlyList<SchemaReference> references, CancellationToken cancellationToken)
    {
        var result = new List<ResolvedReference>();
        var seen = new HashSet<(string, int)>();
        foreach (var reference in references)
        {
            await ResolveAsync(reference, 0).ConfigureAwait(false);
        }

        return result;

        async Task ResolveAsync(SchemaReference reference, int depth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (depth > MaxReferenceDepth)
            {
                throw SchemaRegistryException.InvalidSchema($"Invalid schema: references nest deeper than {MaxReferenceDepth} levels (is there a cycle through '{reference.Subject}'?).");
            }

            if (string.IsNullOrEmpty(reference.Name) || string.IsNullOrEmpty(reference.Subject))
            {
                throw SchemaRegistryException.InvalidSchema("Invalid schema: every reference needs a name, a subject and a version.");
            }

            var versions = await ReadVersionsAsync(c, t, reference.Subject).ConfigureAwait(false);
            var row = reference.Version == -1 ? versions.Where(v => v.Deleted == 0).MaxBy(v => v.Version) : versions.FirstOrDefault(v => v.Version == reference.Version);
            if (row is null)
            {
                throw SchemaRegistryException.InvalidSchema($"Invalid schema: reference '{reference.Name}' names subject '{reference.Subject}' version {reference.Version}, which is not registered.");
            }

            if (!seen.Add((reference.Subject, (int)row.Version)))
            {
                return;
            }

            var schema = (await FindSchemaRowAsync(c, t, (int)row.SchemaId).ConfigureAwait(false))!.ToStored();

            // Dependencies first, so that a format can define them before the schemas that use them.
            foreach (var inner in schema.References)
            {
                await ResolveAsync(inner, depth + 1).ConfigureAwait(false);
            }

            result.Add(new ResolvedReference(reference.Name, reference.Subject, (int)row.Version, schema.Schema));
        }
    }

    private static string IdentityHash(string schemaType, string stored, IReadOnlyList<SchemaReference> references, string? metadata, string? ruleSet)
    {
        // Confluent's identity is MD5(schema + references + metadata + ruleSet); the type is included so that the same
        // text in two languages never shares an id. Separators keep field boundaries unambiguous.
        var text = string.Join('\u0000', schemaType, stored, ReferencesJson(references), metadata ?? "", ruleSet ?? "");
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string ReferencesJson(IReadOnlyList<SchemaReference> references) =>
        JsonSerializer.Serialize(references.Select(r => new Dictionary<string, object> { ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version }));

    private string Now() => _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private async Task RequireWritableAsync(DbConnection c, DbTransaction t, string? subject)
    {
        var mode = subject is null
            ? await ReadModeAsync(c, t, GlobalKey).ConfigureAwait(false) ?? RegistryMode.ReadWrite
            : await EffectiveModeAsync(c, t, subject).ConfigureAwait(false);
        if (mode is RegistryMode.ReadOnly or RegistryMode.ReadOnlyOverride)
        {
            throw SchemaRegistryException.NotPermitted(subject is null
                ? "The registry is in read-only mode; set the global mode to READWRITE first."
                : $"Subject '{subject}' is in read-only mode; set its mode (or the global mode) to READWRITE first.");
        }
    }

    private static async Task<RegistryMode> EffectiveModeAsync(DbConnection c, DbTransaction? t, string subject)
    {
        var global = await ReadModeAsync(c, t, GlobalKey).ConfigureAwait(false) ?? RegistryMode.ReadWrite;
        if (global == RegistryMode.ReadOnlyOverride)
        {
            return global;
        }

        return await ReadModeAsync(c, t, subject).ConfigureAwait(false) ?? global;
    }

    private static async Task<CompatibilityLevel> EffectiveCompatibilityAsync(DbConnection c, DbTransaction? t, string subject) =>
        await ReadCompatibilityAsync(c, t, subject).ConfigureAwait(false)
        ?? await ReadCompatibilityAsync(c, t, GlobalKey).ConfigureAwait(false)
        ?? DefaultCompatibility;

    private static async Task<CompatibilityLevel?> ReadCompatibilityAsync(DbConnection c, DbTransaction? t, string key)
    {
        var text = await c.QuerySingleOrDefaultAsync<string>("SELECT compatibility FROM registry_config WHERE subject = @key", new { key }, t).ConfigureAwait(false);
        return RegistrySettings.TryParseCompatibility(text, out var level) ? level : null;
    }

    private static async Task<RegistryMode?> ReadModeAsync(DbConnection c, DbTransaction? t, string key)
    {
        var text = await c.QuerySingleOrDefaultAsync<string>("SELECT mode FROM registry_mode WHERE subject = @key", new { key }, t).ConfigureAwait(false);
        return RegistrySettings.TryParseMode(text, out var mode) ? mode : null;
    }

    private static async Task UpsertAsync(DbConnection c, DbTransaction t, string table, string column, string key, string value)
    {
        // Both engines accept this form of upsert; the table and column names are constants from this class.
        await c.ExecuteAsync(
            $"INSERT INTO {table} (subject, {column}) VALUES (@key, @value) ON CONFLICT (subject) DO UPDATE SET {column} = excluded.{column}",
            new { key, value }, t).ConfigureAwait(false);
    }

    private const string SelectVersion = "SELECT subject AS Subject, version AS Version, schema_id AS SchemaId, deleted AS Deleted FROM registry_versions";

    private const string SelectSchema = "SELECT id AS Id, identity_hash AS IdentityHash, schema_type AS SchemaType, schema_text AS SchemaText, " +
        "references_json AS ReferencesJson, metadata_json AS MetadataJson, rule_set_json AS RuleSetJson FROM registry_schemas";

    private static async Task<List<VersionRow>> ReadVersionsAsync(DbConnection c, DbTransaction? t, string subject) =>
        [.. await c.QueryAsync<VersionRow>(SelectVersion + " WHERE subject = @subject ORDER BY version", new { subject }, t).ConfigureAwait(false)];

    private static async Task<VersionRow> FindVersionAsync(DbConnection c, DbTransaction? t, string subject, VersionSpec version, bool includeDeleted)
    {
        var versions = (await ReadVersionsAsync(c, t, subject).ConfigureAwait(false)).Where(v => includeDeleted || v.Deleted == 0).ToList();
        if (versions.Count == 0)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        var row = version.IsLatest ? versions.MaxBy(v => v.Version) : versions.FirstOrDefault(v => v.Version == version.Number);
        return row ?? throw SchemaRegistryException.VersionNotFound(subject, version.ToString());
    }

    private static Task<SchemaRow?> FindSchemaRowAsync(DbConnection c, DbTransaction? t, int id) =>
        c.QuerySingleOrDefaultAsync<SchemaRow>(SelectSchema + " WHERE id = @id", new { id }, t);

    private static async Task<List<VersionRow>> ReadUsesAsync(DbConnection c, int id) =>
        [.. await c.QueryAsync<VersionRow>(SelectVersion + " WHERE schema_id = @id ORDER BY subject, version", new { id }).ConfigureAwait(false)];

    private static async Task<IReadOnlyList<int>> ReferrersAsync(DbConnection c, DbTransaction? t, string subject, int version, bool liveOnly)
    {
        var sql = "SELECT DISTINCT r.schema_id FROM registry_references r JOIN registry_versions v ON v.schema_id = r.schema_id " +
            "WHERE r.ref_subject = @subject AND r.ref_version = @version" + (liveOnly ? " AND v.deleted = 0" : "") + " ORDER BY r.schema_id";
        return [.. (await c.QueryAsync<long>(sql, new { subject, version }, t).ConfigureAwait(false)).Select(id => (int)id)];
    }

    private static async Task<T> WithConflictRetryAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (DbException e) when (IsConflict(e) && attempt < MaxConflictRetries)
            {
                // Two writers raced for the same next version or id (unique constraint) or the engine aborted one of
                // them (serialization failure, busy snapshot): the loser simply runs again and sees the winner's row.
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (!IsConflict(e))
            {
                throw new SchemaRegistryException(RegistryErrorCodes.StoreError, $"Error in the backend data store: {e.Message}", e);
            }
        }
    }

    private static bool IsConflict(DbException e) => e switch
    {
        // 23505 unique violation, 40001 serialization failure, 40P01 deadlock.
        Npgsql.PostgresException p => p.SqlState is "23505" or "40001" or "40P01",
        // SQLITE_CONSTRAINT (unique), SQLITE_BUSY (including a stale WAL snapshot), SQLITE_LOCKED.
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode is 19 or 5 or 6,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored schema id {Id} no longer parses; treating it as unknown")]
    private static partial void LogUnparseable(ILogger logger, int id, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered subject {Subject} version {Version} as schema id {Id} ({SchemaType})")]
    private static partial void LogRegistered(ILogger logger, string subject, int version, int id, string schemaType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted subject {Subject} version {Version} (permanent: {Permanent})")]
    private static partial void LogVersionDeleted(ILogger logger, string subject, int version, bool permanent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted subject {Subject}: {Count} versions (permanent: {Permanent})")]
    private static partial void LogSubjectDeleted(ILogger logger, string subject, int count, bool permanent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compatibility of {Scope} set to {Level}")]
    private static partial void LogCompatibilitySet(ILogger logger, string scope, string level);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mode of {Scope} set to {Mode}")]
    private static partial void LogModeSet(ILogger logger, string scope, string mode);

    private sealed class VersionRow
    {
        public string Subject { get; set; } = "";

        public long Version { get; set; }

        public long SchemaId { get; set; }

        public long Deleted { get; set; }
    }

    private sealed class SchemaRow
    {
        public long Id { get; set; }

        public string IdentityHash { get; set; } = "";

        public string SchemaType { get; set; } = "";

        public string SchemaText { get; set; } = "";

        public string ReferencesJson { get; set; } = "[]";

        public string? MetadataJson { get; set; }

        public string? RuleSetJson { get; set; }

        public StoredSchema ToStored()
        {
            var references = new List<SchemaReference>();
            using (var doc = JsonDocument.Parse(ReferencesJson))
            {
                foreach (var r in doc.RootElement.EnumerateArray())
                {
                    references.Add(new SchemaReference(r.GetProperty("name").GetString()!, r.GetProperty("subject").GetString()!, r.GetProperty("version").GetInt32()));
                }
            }

            return new StoredSchema((int)Id, SchemaType, SchemaText, references, MetadataJson, RuleSetJson);
        }
    }
}
