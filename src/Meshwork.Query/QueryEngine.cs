using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Meshwork.Security;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Meshwork.Query;

/// <summary>A query: SQL, the most rows to return, how long it may run, and optionally which snapshot of a table to read.</summary>
/// <param name="Sql">One SELECT (or WITH ... SELECT) statement over product tables named <c>domain.product</c> and <c>domain.product_history</c>.</param>
/// <param name="Limit">Rows to return at most (default <see cref="QueryEngine.DefaultLimit"/>).</param>
/// <param name="Timeout">How long the statement may run (default <see cref="QueryEngine.DefaultTimeout"/>).</param>
/// <param name="Snapshots">Table (<c>domain.table</c>) → snapshot id to read instead of the latest.</param>
public sealed record QueryRequest(string Sql, int? Limit = null, TimeSpan? Timeout = null, IReadOnlyDictionary<string, long>? Snapshots = null);

/// <summary>A result column: its name and SQLite's declared or value type (integer, real, text, blob, null).</summary>
public sealed record QueryColumn(string Name, string Type);

/// <summary>The answer to a query.</summary>
/// <param name="Columns">The result columns.</param>
/// <param name="Rows">The rows, values as long, double, string, byte[] or null.</param>
/// <param name="Truncated">True when there were more rows than the limit.</param>
/// <param name="Tables">Every table read, with the snapshot it was read at (null for a table with no data yet).</param>
/// <param name="Elapsed">Time spent, loading tables included.</param>
public sealed record QueryResult(IReadOnlyList<QueryColumn> Columns, IReadOnlyList<object?[]> Rows, bool Truncated, IReadOnlyList<TableRead> Tables, TimeSpan Elapsed);

/// <summary>A table a query read and at which snapshot.</summary>
public sealed record TableRead(string Table, long? SnapshotId, int Rows);

/// <summary>
/// SQL over the lake on one machine. The tables a query names are read at their latest (or a named)
/// snapshot into a private in-memory SQLite database — one attached schema per domain, so
/// <c>sales.orders</c> reads as written — each behind a view built from the caller's
/// <see cref="DataView"/>; the statement then runs under an authorizer that permits reading only,
/// with a row limit and a timeout.
/// </summary>
public sealed class QueryEngine
{
    /// <summary>Rows returned when the request names no limit.</summary>
    public const int DefaultLimit = 1000;

    /// <summary>The most rows any query may return.</summary>
    public const int MaxLimit = 100_000;

    /// <summary>The longest a query may run.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long a query may run when the request does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const string RawSuffix = "$raw";
    private const string HistorySuffix = "_history";

    private readonly LakeCatalog _lake;
    private readonly IAccessPolicy _access;
    private readonly IDataViewPolicy _views;

    /// <summary>Creates the engine over <paramref name="lake"/>, deciding access with <paramref name="access"/> and views with <paramref name="views"/>.</summary>
    public QueryEngine(LakeCatalog lake, IAccessPolicy access, IDataViewPolicy views)
    {
        _lake = lake;
        _access = access;
        _views = views;
    }

    /// <summary>Runs <paramref name="request"/> as <paramref name="principal"/>.</summary>
    /// <exception cref="QueryException">Bad SQL, an unknown or forbidden table, a write, a timeout, or an invalid limit.</exception>
    public async Task<QueryResult> ExecuteAsync(Principal principal, QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        var limit = request.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw new QueryException(QueryError.InvalidRequest, $"limit must be from 1 to {MaxLimit:N0}, not {limit}.");
        }

        var timeout = request.Timeout ?? DefaultTimeout;
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new QueryException(QueryError.InvalidRequest, $"timeout must be more than 0 and at most {MaxTimeout.TotalSeconds:N0} s.");
        }

        if (string.IsNullOrWhiteSpace(request.Sql))
        {
            throw new QueryException(QueryError.InvalidRequest, "the query is empty; write a SELECT over product tables, e.g. SELECT count(*) FROM sales.orders.");
        }

        var started = Stopwatch.GetTimestamp();
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(linked.Token).ConfigureAwait(false);
        var tables = await LoadTablesAsync(connection, principal, request, linked.Token).ConfigureAwait(false);
        if (request.Snapshots?.Keys.FirstOrDefault(k => tables.All(t => t.Table != k)) is { } unused)
        {
            throw new QueryException(QueryError.InvalidRequest, $"a snapshot is given for '{unused}', which the query does not read (it reads {(tables.Count == 0 ? "no product table" : string.Join(", ", tables.Select(t => t.Table)))}).");
        }

        // From here on the connection only reads: no ATTACH, no writes to the copies, no PRAGMA.
        raw.sqlite3_set_authorizer(connection.Handle, ReadOnly, null);
        await using var registration = linked.Token.Register(() => raw.sqlite3_interrupt(connection.Handle));
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = request.Sql;
            await using var reader = await command.ExecuteReaderAsync(linked.Token).ConfigureAwait(false);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => new QueryColumn(reader.GetName(i), Declared(reader, i))).ToList();
            var rows = new List<object?[]>();
            var truncated = false;
            while (await reader.ReadAsync(linked.Token).ConfigureAwait(false))
            {
                if (rows.Count == limit)
                {
                    truncated = true;
                    break;
                }

                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }

            if (await reader.NextResultAsync(linked.Token).ConfigureAwait(false))
            {
                throw new QueryException(QueryError.InvalidRequest, "only one statement may be run per query; remove the statements after the first ';'.");
            }

            return new QueryResult(columns, rows, truncated, tables, Stopwatch.GetElapsedTime(started));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_INTERRUPT || (e.SqliteErrorCode == raw.SQLITE_ERROR && timer.IsCancellationRequested))
        {
            throw new QueryException(QueryError.Timeout, $"the query ran longer than its timeout of {timeout.TotalSeconds:0.###} s and was stopped; narrow it or raise the timeout.");
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new QueryException(QueryError.Timeout, $"the query ran longer than its timeout of {timeout.TotalSeconds:0.###} s and was stopped; narrow it or raise the timeout.");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_AUTH)
        {
            throw new QueryException(QueryError.ReadOnly, "queries may only read: INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH and PRAGMA are refused.");
        }
        catch (SqliteException e)
        {
            throw new QueryException(QueryError.Sql, $"SQL error: {e.Message.Replace("SQLite Error 1: ", "", StringComparison.Ordinal).TrimEnd('.')}.");
        }
    }

    /// <summary>Reads every product table the SQL names into the connection, behind the caller's view.</summary>
    private async Task<List<TableRead>> LoadTablesAsync(SqliteConnection connection, Principal principal, QueryRequest request, CancellationToken cancellationToken)
    {
        var reads = new List<TableRead>();
        var attached = new HashSet<string>(StringComparer.Ordinal);
        var namespaces = (await _lake.ListNamespacesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            .Where(n => n.Count == 1).Select(n => n[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var (schema, table) in SqlNames.QualifiedNames(request.Sql).Distinct())
        {
            if (!namespaces.Contains(schema))
            {
                continue; // alias.column, or a name SQLite will report on its own
            }

            var name = $"{schema}.{table}";
            var lakeTable = await _lake.TryLoadTableAsync(new TableIdentifier([schema], table), cancellationToken).ConfigureAwait(false);
            if (lakeTable is null)
            {
                var known = await _lake.ListTablesAsync([schema], cancellationToken).ConfigureAwait(false);
                throw new QueryException(QueryError.UnknownTable,
                    $"no table '{name}': the tables of '{schema}' are {(known.Count == 0 ? "none yet" : string.Join(", ", known.Select(k => $"{schema}.{k.Name}").Order(StringComparer.Ordinal)))}.");
            }

            var product = table.EndsWith(HistorySuffix, StringComparison.Ordinal) ? $"{schema}.{table[..^HistorySuffix.Length]}" : name;
            var decision = _access.Decide(new AccessRequest(principal, Operation.Read, ResourceType.Product, product));
            if (!decision.Allowed)
            {
                throw new QueryException(QueryError.Forbidden, $"reading '{name}' is not allowed: {decision.Reason}");
            }

            long? snapshot = request.Snapshots?.TryGetValue(name, out var id) == true ? id : null;
            if (snapshot is not null && lakeTable.Metadata.Snapshots.All(s => s.SnapshotId != snapshot))
            {
                var recent = lakeTable.Metadata.Snapshots.OrderByDescending(s => s.TimestampMs).Take(5).Select(s => s.SnapshotId.ToString(CultureInfo.InvariantCulture));
                throw new QueryException(QueryError.UnknownTable, $"'{name}' has no snapshot {snapshot}; its most recent are {string.Join(", ", recent)}.");
            }

            var rows = await lakeTable.ReadAsync(snapshot, cancellationToken).ConfigureAwait(false);

            if (attached.Add(schema))
            {
                await ExecuteAsync(connection, $"ATTACH DATABASE ':memory:' AS {SqlNames.Quote(schema)}", cancellationToken).ConfigureAwait(false);
            }

            await CopyAsync(connection, schema, table, rows, cancellationToken).ConfigureAwait(false);
            await CreateViewAsync(connection, schema, table, rows.Schema, _views.ViewOf(principal, product, name), cancellationToken).ConfigureAwait(false);
            reads.Add(new TableRead(name, rows.Snapshot?.SnapshotId, rows.Rows.Count));
        }

        return reads;
    }

    private static async Task CopyAsync(SqliteConnection connection, string schema, string table, TableRows rows, CancellationToken cancellationToken)
    {
        var fields = rows.Schema.Fields;
        var target = $"{SqlNames.Quote(schema)}.{SqlNames.Quote(table + RawSuffix)}";
        await ExecuteAsync(connection, $"CREATE TABLE {target} ({string.Join(", ", fields.Select(f => $"{SqlNames.Quote(f.Name)} {Affinity(f.Type)}"))})", cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {target} VALUES ({string.Join(", ", fields.Select((_, i) => $"$p{i}"))})";
        var parameters = fields.Select((_, i) => insert.Parameters.Add($"$p{i}", SqliteType.Text)).ToArray();
        foreach (var row in rows.Rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var (value, type) = Sqlite(row[i]);
                parameters[i].SqliteType = type;
                parameters[i].Value = value ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The table the query sees: the view's columns (masked where the view says) and rows.</summary>
    private static async Task CreateViewAsync(SqliteConnection connection, string schema, string table, IcebergSchema tableSchema, DataView view, CancellationToken cancellationToken)
    {
        var names = tableSchema.Fields.Select(f => f.Name).ToList();
        var columns = view.Columns?.Where(names.Contains).ToList() ?? names;
        var select = string.Join(", ", columns.Select(c => view.Masks.TryGetValue(c, out var mask) ? $"({mask}) AS {SqlNames.Quote(c)}" : SqlNames.Quote(c)));
        var where = view.RowFilter is { Length: > 0 } filter ? $" WHERE ({filter})" : "";
        await ExecuteAsync(connection, $"CREATE VIEW {SqlNames.Quote(schema)}.{SqlNames.Quote(table)} AS SELECT {select} FROM {SqlNames.Quote(table + RawSuffix)}{where}", cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lake values as SQLite stores them: numbers as integers or reals, times as sortable ISO-8601 text, nested values as JSON.</summary>
    private static (object? Value, SqliteType Type) Sqlite(object? value) => value switch
    {
        null => (null, SqliteType.Text),
        bool b => (b ? 1L : 0L, SqliteType.Integer),
        int i => ((long)i, SqliteType.Integer),
        long l => (l, SqliteType.Integer),
        float f => ((double)f, SqliteType.Real),
        double d => (d, SqliteType.Real),
        decimal m => ((double)m, SqliteType.Real),
        string s => (s, SqliteType.Text),
        DateTimeOffset t => (t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), SqliteType.Text),
        DateTime t => (t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture), SqliteType.Text),
        DateOnly d => (d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), SqliteType.Text),
        TimeOnly t => (t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture), SqliteType.Text),
        Guid g => (g.ToString(), SqliteType.Text),
        byte[] bytes => (bytes, SqliteType.Blob),
        IFormattable other => (other.ToString(null, CultureInfo.InvariantCulture), SqliteType.Text),
        _ => (JsonSerializer.Serialize(value), SqliteType.Text),
    };

    private static string Affinity(IcebergType type) => type is PrimitiveType p
        ? p.Id switch
        {
            TypeId.Boolean or TypeId.Int or TypeId.Long => "INTEGER",
            TypeId.Float or TypeId.Double or TypeId.Decimal => "REAL",
            TypeId.Binary or TypeId.Fixed => "BLOB",
            _ => "TEXT",
        }
        : "TEXT";

    private static string Declared(SqliteDataReader reader, int ordinal)
    {
        var declared = reader.GetDataTypeName(ordinal);
        return string.IsNullOrEmpty(declared) ? "any" : declared.ToLowerInvariant();
    }

    /// <summary>The authorizer of user statements: reading tables and views and calling functions, nothing else.</summary>
    private static int ReadOnly(object userData, int action, utf8z first, utf8z second, utf8z database, utf8z view) => action switch
    {
        raw.SQLITE_SELECT or raw.SQLITE_READ or raw.SQLITE_FUNCTION or raw.SQLITE_RECURSIVE => raw.SQLITE_OK,
        _ => raw.SQLITE_DENY,
    };
}

/// <summary>What went wrong with a query.</summary>
public enum QueryError
{
    /// <summary>A bad limit, timeout or an empty or multi-statement query.</summary>
    InvalidRequest,

    /// <summary>SQLite could not parse or run the statement.</summary>
    Sql,

    /// <summary>A product table or snapshot that does not exist.</summary>
    UnknownTable,

    /// <summary>The caller may not read a table.</summary>
    Forbidden,

    /// <summary>The statement tried to change something.</summary>
    ReadOnly,

    /// <summary>The statement ran past its timeout.</summary>
    Timeout,
}

/// <summary>A query that could not be answered, with a message saying why and what to change.</summary>
public sealed class QueryException(QueryError error, string message) : Exception(message)
{
    /// <summary>The kind of failure (maps to the HTTP status and the CLI exit code).</summary>
    public QueryError Error { get; } = error;
}

/// <summary>Finding <c>schema.table</c> names in SQL text (outside string literals, quoted identifiers' quotes and comments).</summary>
internal static class SqlNames
{
    /// <summary>Every <c>a.b</c> pair of identifiers (bare or double-quoted), in order.</summary>
    public static IEnumerable<(string Schema, string Table)> QualifiedNames(string sql)
    {
        var tokens = Tokens(sql).ToList();
        for (var i = 0; i + 2 < tokens.Count; i++)
        {
            if (tokens[i].Identifier && tokens[i + 1].Text == "." && tokens[i + 2].Identifier)
            {
                yield return (tokens[i].Text, tokens[i + 2].Text);
            }
        }
    }

    /// <summary>A double-quoted identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static IEnumerable<(string Text, bool Identifier)> Tokens(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                i = sql.IndexOf('\n', i) is var end and >= 0 ? end : sql.Length;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = sql.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : sql.Length;
            }
            else if (c is '\'' or '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var text = new StringBuilder();
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == close && (i + 1 >= sql.Length || sql[i + 1] != close || close == ']'))
                    {
                        i++;
                        break;
                    }

                    if (sql[i] == close)
                    {
                        i++; // doubled quote
                    }

                    text.Append(sql[i++]);
                }

                yield return (text.ToString(), c != '\'');
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                yield return (sql[start..i], true);
            }
            else
            {
                yield return (c.ToString(), false);
                i++;
            }
        }
    }
}
