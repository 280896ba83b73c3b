using Dapper;

namespace Meshwork.Metadata;

/// <summary>Mesh-wide named settings, such as the instance id every node of one mesh shares.</summary>
public sealed class MeshSettings(IMetadataStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The value of <paramref name="name"/>, or null when it was never set.</summary>
    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition("SELECT value FROM mesh_settings WHERE name = @name", new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, replacing what was there.</summary>
    public async Task SetAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mesh_settings (name, value, updated_at) VALUES (@name, @value, @now)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """,
            new { name, value, now = MetadataStore.Timestamp(_time.GetUtcNow()) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the value of <paramref name="name"/>, first storing <paramref name="create"/>'s result if it has none.
    /// Two nodes racing both get the value that won.
    /// </summary>
    public async Task<string> GetOrCreateAsync(string name, Func<string> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mesh_settings (name, value, updated_at) VALUES (@name, @value, @now) ON CONFLICT (name) DO NOTHING",
            new { name, value = create(), now = MetadataStore.Timestamp(_time.GetUtcNow()) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await connection.QuerySingleAsync<string>(
            new CommandDefinition("SELECT value FROM mesh_settings WHERE name = @name", new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
