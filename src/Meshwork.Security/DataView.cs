namespace Meshwork.Security;

/// <summary>
/// What one principal sees of one table of a data product: which columns, masks over some of them, and
/// which rows. Expressions are SQL over the table's own columns, in the query engine's dialect (SQLite).
/// The query engine applies a view to every table a query reads, so column-level security, masking and
/// row filters (contracts, classification, residency) are a policy implementation, not an engine change.
/// </summary>
/// <param name="Columns">The visible columns, in order; null for all.</param>
/// <param name="Masks">Column → SQL expression that replaces its value (e.g. <c>'***'</c>, <c>substr(email, 1, 1) || '***'</c>).</param>
/// <param name="RowFilter">A SQL predicate rows must satisfy (e.g. <c>region IN ('NL', 'DE')</c>); null for all rows.</param>
public sealed record DataView(IReadOnlyList<string>? Columns, IReadOnlyDictionary<string, string> Masks, string? RowFilter)
{
    /// <summary>Every column and row, unmasked.</summary>
    public static DataView Everything { get; } = new(null, new Dictionary<string, string>(), null);
}

/// <summary>Decides the <see cref="DataView"/> of a product's table for a principal.</summary>
public interface IDataViewPolicy
{
    /// <summary>The view <paramref name="principal"/> gets of <paramref name="table"/> (<c>domain.product</c> or <c>domain.product_history</c>) of <paramref name="product"/>.</summary>
    DataView ViewOf(Principal principal, string product, string table);
}

/// <summary>
/// Every column of every product, unmasked: the embedded default until contract and classification
/// enforcement lands (the local administrator of an embedded mesh sees everything).
/// </summary>
public sealed class FullAccessViewPolicy : IDataViewPolicy
{
    /// <summary>The shared instance.</summary>
    public static FullAccessViewPolicy Instance { get; } = new();

    /// <inheritdoc/>
    public DataView ViewOf(Principal principal, string product, string table) => DataView.Everything;
}
