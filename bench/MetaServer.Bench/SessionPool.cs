using MetaServer.Client;

namespace MetaServer.Bench;

/// <summary>Opens and closes many client sessions with bounded parallelism.</summary>
internal static class SessionPool
{
    /// <summary>
    /// Opens <paramref name="count"/> sessions; each logs in with its own new device, then does one GetAccount round trip.
    /// </summary>
    public static async Task<MetaServerClient[]> OpenAsync(Uri uri, int count, int parallelism, MetaServerClientOptions options, CancellationToken cancellationToken)
    {
        var clients = new MetaServerClient?[count];
        var runId = Guid.NewGuid().ToString("N")[..8];
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var client = await MetaServerClient.ConnectAsync(uri, options, ct);
                    clients[i] = client;
                    await client.LoginDeviceAsync($"bench-{runId}-{i}", ct);
                    await client.GetAccountAsync(ct);
                });
        }
        catch
        {
            await CloseAsync(clients.OfType<MetaServerClient>().ToArray(), parallelism);
            throw;
        }

        return clients.Select(c => c!).ToArray();
    }

    public static Task CloseAsync(IReadOnlyList<MetaServerClient> clients, int parallelism) =>
        Parallel.ForEachAsync(
            clients,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (client, _) => await client.DisposeAsync());
}
