namespace MetaServer.Client.Tests;

/// <summary>A scripted server, a client connected to it and the server side of that connection, torn down in that order.</summary>
public sealed class Connected : IAsyncDisposable
{
    private Connected(ScriptedServer server, MetaServerClient client, ServerConnection connection)
    {
        Server = server;
        Client = client;
        Connection = connection;
    }

    public ScriptedServer Server { get; }

    public MetaServerClient Client { get; }

    public ServerConnection Connection { get; }

    public static async Task<Connected> StartAsync(MetaServerClientOptions? options = null)
    {
        var server = await ScriptedServer.StartAsync();
        try
        {
            var client = await MetaServerClient.ConnectAsync(server.Uri, options, CancellationToken.None);
            var connection = await MetaServer.Testing.Eventually.WithTimeout(server.AcceptAsync(), "server accepts");
            return new Connected(server, client, connection);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The test drives the server side and nobody answers the client's close; drop the connection first.
        Connection.Socket.Abort();
        Connection.Finish();
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
