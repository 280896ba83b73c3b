using Dapper;
using Meshwork.Metadata;

namespace Meshwork.Broker.Groups;

/// <summary>
/// Committed offsets in the metadata store's <c>broker_group_offsets</c> table (migration 0002), so they survive
/// restarts on SQLite and PostgreSQL alike.
/// </summary>
/// <param name="store">The metadata store, already migrated.</param>
public sealed class MetadataOffsetStore(IMetadataStore store) : IOffsetStore
{
    // ON CONFLICT ... DO UPDATE is spelled the same on SQLite (3.24+) and PostgreSQL, so one statement serves both.
    private const string UpsertSql = """
        INSERT INTO broker_group_offsets (group_id, topic, partition_index, committed_offset, leader_epoch, metadata, commit_time_ms)
        VALUES (@GroupId, @Topic, @Partition, @Offset, @LeaderEpoch, @Metadata, @CommitTimeMs)
        ON CONFLICT (group_id, topic, partition_index) DO UPDATE SET
            committed_offset = excluded.committed_offset,
            leader_epoch = excluded.leader_epoch,
            metadata = excluded.metadata,
            commit_time_ms = excluded.commit_time_ms
        """;

    private readonly IMetadataStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredOffset>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // Read into a class with 64-bit properties: SQLite returns every INTEGER as Int64, PostgreSQL as Int32.
        var rows = await connection.QueryAsync<OffsetRow>(
            new CommandDefinition(
                """
                SELECT group_id AS GroupId, topic AS Topic, partition_index AS Partition, committed_offset AS Offset,
                       leader_epoch AS LeaderEpoch, metadata AS Metadata, commit_time_ms AS CommitTimeMs
                FROM broker_group_offsets
                """,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new StoredOffset(r.GroupId, r.Topic, checked((int)r.Partition), r.Offset, checked((int)r.LeaderEpoch), r.Metadata, r.CommitTimeMs))];
    }

    /// <inheritdoc/>
    public async Task UpsertAsync(IReadOnlyList<StoredOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Count == 0)
        {
            return;
        }

        await _store.InTransactionAsync(
            async (connection, transaction) =>
            {
                foreach (var offset in offsets)
                {
                    await connection.ExecuteAsync(new CommandDefinition(UpsertSql, offset, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        await _store.InTransactionAsync(
            async (connection, transaction) =>
            {
                if (partitions is null)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "DELETE FROM broker_group_offsets WHERE group_id = @groupId", new { groupId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    return true;
                }

                foreach (var partition in partitions)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "DELETE FROM broker_group_offsets WHERE group_id = @groupId AND topic = @topic AND partition_index = @partition",
                        new { groupId, topic = partition.Topic, partition = partition.Partition },
                        transaction,
                        cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private sealed class OffsetRow
    {
        public string GroupId { get; set; } = "";

        public string Topic { get; set; } = "";

        public long Partition { get; set; }

        public long Offset { get; set; }

        public long LeaderEpoch { get; set; }

        public string? Metadata { get; set; }

        public long CommitTimeMs { get; set; }
    }
}
