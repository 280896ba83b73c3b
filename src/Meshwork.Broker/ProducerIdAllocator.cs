using Dapper;
using Meshwork.Metadata;

namespace Meshwork.Broker;

/// <summary>
/// Hands out idempotent producer ids that never repeat, even across restarts or between brokers sharing
/// a store: each id is taken from the counter in the metadata store by the statement that advances it.
/// </summary>
public sealed class ProducerIdAllocator(IMetadataStore store)
{
    /// <summary>Returns a fresh producer id.</summary>
    public async Task<long> NextAsync(CancellationToken cancellationToken = default)
    {
        // InitProducerId is rare (once per producer session), so one round trip per id is cheap.
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleAsync<long>(new CommandDefinition(
            "UPDATE broker_producer_ids SET next_producer_id = next_producer_id + 1 WHERE singleton = 1 RETURNING next_producer_id - 1",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
