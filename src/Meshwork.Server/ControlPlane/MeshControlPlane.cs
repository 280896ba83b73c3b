using System.Globalization;
using System.Text.RegularExpressions;
using Meshwork.Broker;
using Meshwork.Broker.Storage;
using Meshwork.Catalog;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Planning;
using Meshwork.Metadata;
using Meshwork.Processing;
using Meshwork.Registry;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.ControlPlane;

/// <summary>The outcome of an apply: whether it changed the mesh, the plan it carried out, and its history id.</summary>
/// <param name="Applied">False when a violation blocked it: then nothing was changed.</param>
/// <param name="Plan">The plan (its changes were made when <paramref name="Applied"/>).</param>
/// <param name="HistoryId">The apply's history record, or null when it was blocked or had nothing to do.</param>
public sealed record ApplyResult(bool Applied, MeshPlan Plan, long? HistoryId);

/// <summary>
/// <c>mesh plan</c> and <c>mesh apply</c>: reads the live mesh from the catalog, the broker and the
/// registry, diffs a definition against it, and carries a plan out. An apply changes topics first
/// (undone if anything later fails), then registers schemas and records the catalog in one store
/// transaction, and deletes topics last, once nothing can roll back any more.
/// </summary>
public sealed partial class MeshControlPlane
{
    private readonly IMetadataStore _store;
    private readonly KafkaBroker _broker;
    private readonly SchemaRegistry _registry;
    private readonly MeshCatalog _catalog;
    private readonly ILogger _logger;

    // One apply at a time per process: two interleaved applies would each plan against a stale live state.
    private readonly SemaphoreSlim _applyGate = new(1, 1);

    /// <summary>Creates the control plane over the mesh's parts.</summary>
    public MeshControlPlane(IMetadataStore store, KafkaBroker broker, SchemaRegistry registry, MeshCatalog catalog, ILogger<MeshControlPlane> logger)
    {
        _store = store;
        _broker = broker;
        _registry = registry;
        _catalog = catalog;
        _logger = logger;
    }

    /// <summary>Raised after an apply changed the live mesh (not for one with nothing to do or one that was blocked).</summary>
    public event EventHandler<ApplyResult>? Applied;

    /// <summary>The catalog this control plane records into.</summary>
    public MeshCatalog Catalog => _catalog;

    /// <summary>What exists now: the catalog's domains, products, contracts and grants; the product topics on the bus with their consumer groups; product subjects in the registry.</summary>
    public async Task<LiveMesh> ReadLiveAsync(CancellationToken cancellationToken = default)
    {
        var live = await _catalog.ReadLiveAsync(cancellationToken).ConfigureAwait(false);
        var groups = _broker.Groups.Snapshot();
        var topics = _broker.Logs.Topics
            .Where(t => ProductTopic().IsMatch(t.Name))
            .Select(t => new LiveTopic(t.Name, TopicSpec(t))
            {
                // The materializer's groups are the platform's own bookkeeping, not consumers to protect: deleting a product
                // stops its materializer and keeps its tables.
                ConsumerGroups = groups.Where(g => !g.GroupId.StartsWith(Materializer.GroupPrefix, StringComparison.Ordinal) && g.Offsets.Keys.Any(p => p.Topic == t.Name))
                    .Select(g => g.GroupId).ToList(),
            })
            .ToList();
        var subjects = (await _registry.GetSchemasAsync(latestOnly: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Where(s => s.Subject.EndsWith("-value", StringComparison.Ordinal) && ProductTopic().IsMatch(s.Subject[..^"-value".Length]))
            .Select(s => new LiveSubject(s.Subject, s.Version, s.Schema.SchemaType, s.Schema.Schema))
            .ToList();
        return live with { Topics = topics, Subjects = subjects };
    }

    /// <summary>Plans <paramref name="files"/> against the live mesh.</summary>
    public async Task<MeshPlan> PlanAsync(MeshFiles files, bool allowDestroy, CancellationToken cancellationToken = default)
    {
        var definition = MeshDefinition.Load(files);
        return MeshPlanner.Plan(definition, await ReadLiveAsync(cancellationToken).ConfigureAwait(false), allowDestroy);
    }

    /// <summary>Plans and, when nothing blocks it, carries the plan out as <paramref name="appliedBy"/>.</summary>
    /// <param name="files">The mesh definition.</param>
    /// <param name="allowDestroy">Permit deleting products that still have consumers.</param>
    /// <param name="appliedBy">The principal's name, recorded in the history.</param>
    /// <param name="source">Where the definition came from (a directory, "embedded examples"), recorded in the history.</param>
    /// <param name="cancellationToken">Cancels before the store transaction commits.</param>
    public async Task<ApplyResult> ApplyAsync(MeshFiles files, bool allowDestroy, string appliedBy, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        await _applyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var definition = MeshDefinition.Load(files);
            var plan = MeshPlanner.Plan(definition, await ReadLiveAsync(cancellationToken).ConfigureAwait(false), allowDestroy);
            if (plan.IsBlocked)
            {
                LogBlocked(_logger, source, plan.Errors.Count());
                return new ApplyResult(false, plan, null);
            }

            if (plan.Changes.Count == 0)
            {
                return new ApplyResult(true, plan, null);
            }

            var undo = new Stack<Action>();
            long historyId;
            try
            {
                ChangeTopics(definition, plan, undo);
                historyId = await _store.InTransactionAsync(async (c, t) =>
                {
                    foreach (var change in plan.Changes.Where(ch => ch.Resource == MeshResource.Subject))
                    {
                        if (change.Action == ChangeAction.Delete)
                        {
                            await _registry.SoftDeleteSubjectInTransactionAsync(c, t, change.Name).ConfigureAwait(false);
                            continue;
                        }

                        var schema = definition.Products.First(p => p.Subject == change.Name).Schema!;
                        await _registry.RegisterInTransactionAsync(c, t, change.Name, new SchemaRequest(schema.Text, schema.Format), cancellationToken).ConfigureAwait(false);
                    }

                    return await _catalog.RecordApplyAsync(c, t, definition, plan, appliedBy, source, cancellationToken).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                while (undo.TryPop(out var action))
                {
                    action();
                }

                throw;
            }

            _registry.Committed(plan.Changes.Where(c => c.Resource == MeshResource.Subject).Select(c => c.Name));

            // Deleting a topic deletes its data: last, once the catalog says the product is gone.
            foreach (var change in plan.Changes.Where(c => c.Resource == MeshResource.Topic && c.Action == ChangeAction.Delete))
            {
                _broker.Logs.DeleteTopic(change.Name);
            }

            LogApplied(_logger, historyId, source, appliedBy, plan.Summary);
            var result = new ApplyResult(true, plan, historyId);
            Applied?.Invoke(this, result);
            return result;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private void ChangeTopics(MeshDefinition definition, MeshPlan plan, Stack<Action> undo)
    {
        foreach (var change in plan.Changes.Where(c => c.Resource == MeshResource.Topic && c.Action != ChangeAction.Delete))
        {
            var product = definition.Products.First(p => p.Topic == change.Name);
            var spec = ProductSpec.Topic(product);
            var configs = spec.Where(e => e.Key != "partitions").ToDictionary(e => e.Key, e => (string?)e.Value);
            var partitions = int.Parse(spec["partitions"], CultureInfo.InvariantCulture);
            var existing = _broker.Logs.GetTopic(change.Name);
            if (existing is null)
            {
                _broker.Logs.CreateTopic(change.Name, partitions, configs);
                undo.Push(() => _broker.Logs.DeleteTopic(change.Name));
                continue;
            }

            var previous = configs.Keys.ToDictionary(k => k, k => existing.Config.Overrides.GetValueOrDefault(k));
            _broker.Logs.AlterConfigs(change.Name, configs, incremental: true);
            undo.Push(() => _broker.Logs.AlterConfigs(change.Name, previous, incremental: true));
            if (partitions > existing.Partitions.Count)
            {
                // Partitions cannot be taken back; the planner refuses shrinking, so growing is the last step here.
                _broker.Logs.CreatePartitions(change.Name, partitions);
            }
        }
    }

    private static IReadOnlyDictionary<string, string> TopicSpec(TopicLog topic) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["partitions"] = topic.Partitions.Count.ToString(CultureInfo.InvariantCulture),
        ["cleanup.policy"] = topic.Config.Compact ? "compact" : "delete",
        [ProductSpec.ValidationConfig] = ValueSchemaValidationConfig.ModeOf(topic.Config).ToString().ToLowerInvariant(),
    };

    /// <summary><c>domain.product.vN</c>: the topics the mesh manages.</summary>
    [GeneratedRegex(@"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductTopic();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied #{HistoryId} from {Source} by {AppliedBy}: {Summary}")]
    private static partial void LogApplied(ILogger logger, long historyId, string source, string appliedBy, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Apply from {Source} refused: {Errors} policy violation(s); nothing was changed")]
    private static partial void LogBlocked(ILogger logger, string source, int errors);
}
