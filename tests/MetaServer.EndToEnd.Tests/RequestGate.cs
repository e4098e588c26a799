using MetaServer.Pipelines;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// Holds requests in the backend: each message signals <see cref="Entered"/>, then waits for
/// <see cref="Release"/> before the real handler runs.
/// </summary>
public sealed class RequestGate
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Released => _release.Task;

    public void Release() => _release.TrySetResult();

    /// <summary>Replaces the registered <typeparamref name="THandler"/> with a wrapper that passes through this gate.</summary>
    public static RequestGate Install<THandler>(IServiceCollection services)
        where THandler : class, IMessageHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        var descriptor = services.Single(d => d.ServiceType == typeof(IMessageHandler) && d.ImplementationType == typeof(THandler));
        services.Remove(descriptor);
        var gate = new RequestGate();
        services.AddSingleton<IMessageHandler>(sp => new GatedHandler(ActivatorUtilities.CreateInstance<THandler>(sp), gate));
        return gate;
    }

    private sealed class GatedHandler(IMessageHandler inner, RequestGate gate) : IMessageHandler
    {
        public string MessageType => inner.MessageType;

        public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
        {
            gate.Entered.TrySetResult();
            await gate.Released.WaitAsync(cancellationToken);
            return await inner.HandleAsync(message, cancellationToken);
        }
    }
}
