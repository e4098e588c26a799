using System.Diagnostics.Metrics;
using MetaServer.Messaging.Sqs;

namespace MetaServer.Bench;

/// <summary>
/// Counts the HTTP requests the SQS client reports on its <c>metaserver.sqs.calls</c> counter (each attempt, retries
/// included), as a cross-check of the decorator's call counts. Process-wide: one server runs at a time.
/// </summary>
internal sealed class SqsHttpRequests : IDisposable
{
    private const string InstrumentName = "metaserver.sqs.calls";

    private readonly MeterListener _listener = new();
    private long _requests;
    private long _failed;

    public SqsHttpRequests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SqsClient.MeterName && instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Interlocked.Add(ref _requests, value);
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && !string.Equals(tag.Value as string, "ok", StringComparison.Ordinal))
                {
                    Interlocked.Add(ref _failed, value);
                }
            }
        });
        _listener.Start();
    }

    public long Requests => Interlocked.Read(ref _requests);

    public long Failed => Interlocked.Read(ref _failed);

    public void Dispose() => _listener.Dispose();
}
