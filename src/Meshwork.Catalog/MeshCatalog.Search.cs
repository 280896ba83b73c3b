using System.Text;
using Dapper;
using Meshwork.Metadata;

namespace Meshwork.Catalog;

public sealed partial class MeshCatalog
{
    private const int MaxSearchTerms = 8;
    private const int MaxSearchTermLength = 64;

    /// <summary>
    /// Full-text search over domains and products: names, tags, descriptions, owners, field names and
    /// docs and their labels. Every word must match (as a prefix, stemmed); results whose name
    /// contains every word come first, then by relevance (SQLite FTS5 bm25 / PostgreSQL ts_rank,
    /// names weighted highest).
    /// </summary>
    /// <exception cref="ArgumentException">The text has no searchable word.</exception>
    public async Task<Page<SearchHit>> SearchAsync(string text, int limit = 20, int offset = 0, CancellationToken cancellationToken = default)
    {
        CheckPage(limit, offset);
        var terms = Terms(text);
        if (terms.Count == 0)
        {
            throw new ArgumentException($"'{text}' has no word to search for; use letters or digits.", nameof(text));
        }

        var parameters = new DynamicParameters(new { limit, offset });
        var nameMatch = new StringBuilder();
        for (var i = 0; i < terms.Count; i++)
        {
            parameters.Add($"like{i}", $"%{terms[i]}%");
            nameMatch.Append(i == 0 ? "" : " AND ").Append(_store.Provider == StoreProvider.Sqlite ? "lower(s.name)" : "lower(name)").Append(" LIKE @like").Append(i);
        }

        string count, select;
        if (_store.Provider == StoreProvider.Sqlite)
        {
            parameters.Add("query", string.Join(' ', terms.Select(t => $"\"{t}\"*")));
            const string from = " FROM catalog_search_fts JOIN catalog_search s ON s.id = catalog_search_fts.rowid WHERE catalog_search_fts MATCH @query";
            count = "SELECT COUNT(*)" + from;
            // bm25 weights per column: name, tags, description, fields. Lower is better.
            select = $"SELECT s.kind, s.ref, s.title, snippet(catalog_search_fts, -1, '[', ']', '…', 10) AS snippet, CASE WHEN {nameMatch} THEN 1 ELSE 0 END AS name_match, " +
                     "-bm25(catalog_search_fts, 10.0, 4.0, 2.0, 1.0) AS score" + from + " ORDER BY name_match DESC, score DESC, s.ref LIMIT @limit OFFSET @offset";
        }
        else
        {
            parameters.Add("query", string.Join(" & ", terms.Select(t => t + ":*")));
            const string from = " FROM catalog_search, to_tsquery('english', @query) AS q WHERE document @@ q";
            count = "SELECT COUNT(*)" + from;
            // Weights for D, C, B, A: fields, description, tags, name.
            select = $"SELECT kind, ref, title, ts_headline('english', description || ' ' || fields, q, 'StartSel=[,StopSel=],MaxWords=16,MinWords=6') AS snippet, " +
                     $"CASE WHEN {nameMatch} THEN 1 ELSE 0 END AS name_match, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', document, q) AS score" +
                     from + " ORDER BY name_match DESC, score DESC, ref LIMIT @limit OFFSET @offset";
        }

        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(count, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string Kind, string Ref, string Name, string Snippet, long NameMatch, double Score)>(
            new CommandDefinition(select, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Page<SearchHit>.Of(rows.Select(r => new SearchHit(r.Kind, r.Ref, r.Name, r.Snippet, r.NameMatch != 0, r.Score)).ToList(), total, offset, limit);
    }

    /// <summary>True when <paramref name="text"/> has at least one word <see cref="SearchAsync"/> can look for.</summary>
    public static bool IsSearchable(string text) => Terms(text).Count > 0;

    /// <summary>
    /// The words of a query: letters and digits only, lowercased — so that no query syntax of
    /// either engine (quotes, NEAR, column filters, <c>&amp;|!</c>) can be injected or break the query.
    /// </summary>
    internal static IReadOnlyList<string> Terms(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        var word = new StringBuilder();
        foreach (var ch in text.Append(' '))
        {
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(char.ToLowerInvariant(ch));
                continue;
            }

            if (word.Length > 0 && terms.Count < MaxSearchTerms)
            {
                terms.Add(word.Length > MaxSearchTermLength ? word.ToString(0, MaxSearchTermLength) : word.ToString());
            }

            word.Clear();
        }

        return terms;
    }
}
