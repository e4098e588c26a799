using Google.Protobuf;
using MetaServer.Payments.Storage;
using MetaServer.Payments.Verification;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Clawbacks;

/// <summary>
/// Polls the Google Play Voided Purchases API (<see cref="IVoidedPurchasesSource"/>, when one is registered) every
/// <c>MetaServer:Payments:GoogleVoidedPurchases:PollInterval</c> and puts every voided purchase on
/// <c>payments.store-refund</c>. Each poll starts from the checkpoint in the payments store (the first poll:
/// <c>InitialLookback</c> ago) and, once every page is enqueued, moves it to the poll's start minus <c>Overlap</c>
/// (so nothing voided during a poll is missed; re-enqueued refunds are no-ops). A store that can't be reached leaves
/// the checkpoint where it was. Several hosts may poll: the checkpoint is written conditionally and duplicates are harmless.
/// </summary>
public sealed partial class GoogleVoidedPurchasesPoller(
    IServiceProvider services,
    IPaymentStore store,
    StoreRefundQueue queue,
    IOptions<PaymentsOptions> options,
    TimeProvider timeProvider,
    ILogger<GoogleVoidedPurchasesPoller> logger) : BackgroundService
{
    private readonly GoogleVoidedPurchasesOptions _options = options.Value.GoogleVoidedPurchases;

    /// <summary>One poll; returns how many refunds were enqueued (0 when the source is unavailable or not configured).</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IVoidedPurchasesSource>() is not { } source)
        {
            return 0;
        }

        var pollStart = timeProvider.GetUtcNow();
        var item = await store.GetAsync(PaymentStoreKeys.GoogleVoidedCheckpoint, cancellationToken);
        var checkpoint = item is null ? null : VoidedPurchasesCheckpoint.Parser.ParseFrom(item.Value.Span);
        var startTime = checkpoint is null ? pollStart - _options.InitialLookback : DateTimeOffset.FromUnixTimeMilliseconds(checkpoint.StartTimeUnixMs);
        var enqueued = 0;
        string? pageToken = null;
        try
        {
            for (var page = 0; page < _options.MaxPagesPerPoll; page++)
            {
                var result = await source.ListAsync(startTime, pageToken, cancellationToken);
                foreach (var refund in result.Refunds)
                {
                    if (refund.Store == PurchaseStore.GooglePlay && !string.IsNullOrEmpty(refund.TransactionKey))
                    {
                        await queue.EnqueueAsync(refund, cancellationToken);
                        enqueued++;
                    }
                }

                pageToken = result.NextPageToken;
                if (string.IsNullOrEmpty(pageToken))
                {
                    break;
                }
            }
        }
        catch (StoreUnavailableException ex)
        {
            LogUnavailable(ex.Message, enqueued);
            return enqueued;
        }

        if (!string.IsNullOrEmpty(pageToken))
        {
            LogPageLimit(_options.MaxPagesPerPoll);
            return enqueued;
        }

        var next = pollStart - _options.Overlap;
        if (next > startTime)
        {
            var written = await store.TryWriteAsync(
                PaymentStoreKeys.GoogleVoidedCheckpoint,
                new VoidedPurchasesCheckpoint { StartTimeUnixMs = next.ToUnixTimeMilliseconds() }.ToByteArray(),
                item?.Version ?? 0,
                expiresAt: null,
                cancellationToken);
            if (written is null)
            {
                LogCheckpointRace();
            }
        }

        LogPolled(enqueued);
        return enqueued;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IVoidedPurchasesSource>() is null)
        {
            LogNotConfigured();
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed poll is logged and retried at the next interval; the poller must keep running.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPollFailed(ex);
            }

            try
            {
                await Task.Delay(_options.PollInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: no Google Play voided-purchases source is configured; the poller is off")]
    private partial void LogNotConfigured();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: Google Play voided purchases unavailable ({Reason}); {Enqueued} enqueued, checkpoint kept")]
    private partial void LogUnavailable(string reason, int enqueued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: voided purchases poll stopped after {Pages} pages; continuing from the same checkpoint next time")]
    private partial void LogPageLimit(int pages);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Payments: another poller moved the voided-purchases checkpoint first")]
    private partial void LogCheckpointRace();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Payments: voided purchases poll enqueued {Enqueued} refunds")]
    private partial void LogPolled(int enqueued);

    [LoggerMessage(Level = LogLevel.Error, Message = "Payments: voided purchases poll failed")]
    private partial void LogPollFailed(Exception exception);
}
