namespace Meshwork.Broker.Groups;

/// <summary>
/// Task completions collected under a group's lock and run after it is released, so no continuation (even a
/// synchronous one a caller might add) ever runs while the lock is held.
/// </summary>
internal sealed class Completions
{
    private List<Action>? _actions;

    public void Complete<T>(TaskCompletionSource<T>? source, T result)
    {
        if (source is not null)
        {
            (_actions ??= []).Add(() => source.TrySetResult(result));
        }
    }

    public void Cancel<T>(TaskCompletionSource<T> source, CancellationToken cancellationToken) =>
        (_actions ??= []).Add(() => source.TrySetCanceled(cancellationToken));

    public void Run()
    {
        var actions = _actions;
        _actions = null;
        if (actions is null)
        {
            return;
        }

        foreach (var action in actions)
        {
            action();
        }
    }
}
