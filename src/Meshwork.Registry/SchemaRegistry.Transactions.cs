using System.Data.Common;
using Dapper;

namespace Meshwork.Registry;

/// <summary>
/// Registry writes that join a caller's transaction, so that a mesh apply registers its schemas in
/// the same commit as its catalog entries: all of it lands or none of it does. The caller tells the
/// registry when that transaction committed (<see cref="Committed"/>), so cached answers are dropped.
/// </summary>
public sealed partial class SchemaRegistry
{
    /// <summary>Registers <paramref name="request"/> under <paramref name="subject"/> inside the caller's transaction (same rules as <see cref="RegisterAsync"/>).</summary>
    /// <exception cref="SchemaRegistryException">42201 invalid schema, 409 incompatible, 42205 mode.</exception>
    public async Task<RegisterResult> RegisterInTransactionAsync(DbConnection connection, DbTransaction transaction, string subject, SchemaRequest request,
        CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject);
        ArgumentNullException.ThrowIfNull(request);
        var (result, _) = await RegisterCoreAsync(connection, transaction, subject, request, Formats.Get(request.SchemaType), normalize: false, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Soft-deletes every live version of <paramref name="subject"/> inside the caller's transaction; a subject that does not exist is left alone.</summary>
    /// <exception cref="SchemaRegistryException">42205 when the subject is read-only.</exception>
    public async Task SoftDeleteSubjectInTransactionAsync(DbConnection connection, DbTransaction transaction, string subject)
    {
        await RequireWritableAsync(connection, transaction, subject).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE registry_versions SET deleted = 1 WHERE subject = @subject", new { subject }, transaction).ConfigureAwait(false);
    }

    /// <summary>Call after the transaction holding writes to <paramref name="subjects"/> committed: the broker then sees them at once.</summary>
    public void Committed(IEnumerable<string> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        foreach (var subject in subjects)
        {
            ForgetSubject(subject);
            foreach (var key in _notRegisteredUnder.Keys.Where(k => k.Subject == subject))
            {
                _notRegisteredUnder.TryRemove(key, out _);
            }
        }

        _missingIds.Clear();
    }
}
