using MetaServer.Messaging.Sqs;
using MetaServer.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Bench;

/// <summary>The SQS actions the bench reports separately; everything else (queue management, tags) is <see cref="Other"/>.</summary>
internal enum SqsAction
{
    SendMessage,
    SendMessageBatch,
    ReceiveMessage,
    DeleteMessage,
    DeleteMessageBatch,
    ChangeMessageVisibility,
    Other,
}

/// <summary>Which queues a call went to: the backends' request queues (and their dead-letter queues) or a frontend's reply queue.</summary>
internal enum SqsQueueSide
{
    Request,
    Reply,
}

/// <summary>
/// Counts of SQS API calls (one per <see cref="ISqsClient"/> call, as the transport issues them; retries inside the
/// client are not seen here) and of the messages they carried, by action and queue side.
/// </summary>
internal sealed record SqsCallCounts(long[] Calls, long[] Entries, long[] EmptyReceives)
{
    public static int ActionCount { get; } = Enum.GetValues<SqsAction>().Length;

    public static int SideCount { get; } = Enum.GetValues<SqsQueueSide>().Length;

    public long TotalCalls => Calls.Sum();

    public long CallsOf(SqsAction action) => Enum.GetValues<SqsQueueSide>().Sum(side => CallsOf(action, side));

    public long CallsOf(SqsAction action, SqsQueueSide side) => Calls[Index(action, side)];

    public long EntriesOf(SqsAction action, SqsQueueSide side) => Entries[Index(action, side)];

    public long EmptyReceivesOf(SqsQueueSide side) => EmptyReceives[(int)side];

    /// <summary>Counts accumulated between <paramref name="earlier"/> and this snapshot.</summary>
    public SqsCallCounts Minus(SqsCallCounts earlier) => new(
        Calls.Zip(earlier.Calls, (a, b) => a - b).ToArray(),
        Entries.Zip(earlier.Entries, (a, b) => a - b).ToArray(),
        EmptyReceives.Zip(earlier.EmptyReceives, (a, b) => a - b).ToArray());

    public static int Index(SqsAction action, SqsQueueSide side) => ((int)side * ActionCount) + (int)action;
}

/// <summary>Thread-safe counters shared by every <see cref="CountingSqsClient"/> of one server.</summary>
internal sealed class SqsCallCounter
{
    private readonly long[] _calls = new long[SqsCallCounts.ActionCount * SqsCallCounts.SideCount];
    private readonly long[] _entries = new long[SqsCallCounts.ActionCount * SqsCallCounts.SideCount];
    private readonly long[] _emptyReceives = new long[SqsCallCounts.SideCount];
    private string _replyQueueMarker = "-reply-";

    public void Call(SqsAction action, string? queueUrl, int entries)
    {
        var index = SqsCallCounts.Index(action, SideOf(queueUrl));
        Interlocked.Increment(ref _calls[index]);
        Interlocked.Add(ref _entries[index], entries);
    }

    public void Received(string? queueUrl, int messages)
    {
        var side = SideOf(queueUrl);
        Interlocked.Add(ref _entries[SqsCallCounts.Index(SqsAction.ReceiveMessage, side)], messages);
        if (messages == 0)
        {
            Interlocked.Increment(ref _emptyReceives[(int)side]);
        }
    }

    public SqsCallCounts Snapshot()
    {
        var calls = new long[_calls.Length];
        var entries = new long[_entries.Length];
        var empty = new long[_emptyReceives.Length];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = Interlocked.Read(ref _calls[i]);
            entries[i] = Interlocked.Read(ref _entries[i]);
        }

        for (var i = 0; i < empty.Length; i++)
        {
            empty[i] = Interlocked.Read(ref _emptyReceives[i]);
        }

        return new SqsCallCounts(calls, entries, empty);
    }

    /// <summary>
    /// Replaces the <see cref="ISqsClient"/> registration (made by <c>AddSqsTransport</c>) with a counting decorator
    /// around the original: the transport and the reply-queue janitor then go through it.
    /// </summary>
    public void Decorate(IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(ISqsClient))
            ?? throw new InvalidOperationException("No ISqsClient is registered: is MetaServer:Transport set to Sqs?");
        services.Remove(original);
        services.AddSingleton<ISqsClient>(sp =>
        {
            _replyQueueMarker = sp.GetRequiredService<QueueNames>().ReplyQueuePrefix;
            return new CountingSqsClient(Resolve(original, sp), this);
        });
    }

    private SqsQueueSide SideOf(string? queueUrl) =>
        queueUrl is not null && queueUrl.Contains(_replyQueueMarker, StringComparison.Ordinal) ? SqsQueueSide.Reply : SqsQueueSide.Request;

    private static ISqsClient Resolve(ServiceDescriptor descriptor, IServiceProvider services) => descriptor switch
    {
        { ImplementationInstance: ISqsClient instance } => instance,
        { ImplementationFactory: { } factory } => (ISqsClient)factory(services),
        { ImplementationType: { } type } => (ISqsClient)ActivatorUtilities.CreateInstance(services, type),
        _ => throw new InvalidOperationException("The ISqsClient registration has no instance, factory or type."),
    };
}

/// <summary>An <see cref="ISqsClient"/> decorator that counts each call by action before passing it on.</summary>
internal sealed class CountingSqsClient(ISqsClient inner, SqsCallCounter counter) : ISqsClient
{
    public Task<CreateQueueResponse> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, null, 0);
        return inner.CreateQueueAsync(request, cancellationToken);
    }

    public Task<GetQueueUrlResponse> GetQueueUrlAsync(GetQueueUrlRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, null, 0);
        return inner.GetQueueUrlAsync(request, cancellationToken);
    }

    public Task<GetQueueAttributesResponse> GetQueueAttributesAsync(GetQueueAttributesRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.GetQueueAttributesAsync(request, cancellationToken);
    }

    public Task<SetQueueAttributesResponse> SetQueueAttributesAsync(SetQueueAttributesRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.SetQueueAttributesAsync(request, cancellationToken);
    }

    public Task<DeleteQueueResponse> DeleteQueueAsync(DeleteQueueRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.DeleteQueueAsync(request, cancellationToken);
    }

    public Task<PurgeQueueResponse> PurgeQueueAsync(PurgeQueueRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.PurgeQueueAsync(request, cancellationToken);
    }

    public Task<ListQueuesResponse> ListQueuesAsync(ListQueuesRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, null, 0);
        return inner.ListQueuesAsync(request, cancellationToken);
    }

    public Task<TagQueueResponse> TagQueueAsync(TagQueueRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.TagQueueAsync(request, cancellationToken);
    }

    public Task<ListQueueTagsResponse> ListQueueTagsAsync(ListQueueTagsRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.Other, request.QueueUrl, 0);
        return inner.ListQueueTagsAsync(request, cancellationToken);
    }

    public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.SendMessage, request.QueueUrl, 1);
        return inner.SendMessageAsync(request, cancellationToken);
    }

    public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.SendMessageBatch, request.QueueUrl, request.Entries.Count);
        return inner.SendMessageBatchAsync(request, cancellationToken);
    }

    public async Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.ReceiveMessage, request.QueueUrl, 0);
        var response = await inner.ReceiveMessageAsync(request, cancellationToken);
        counter.Received(request.QueueUrl, response.Messages?.Count ?? 0);
        return response;
    }

    public Task<DeleteMessageResponse> DeleteMessageAsync(DeleteMessageRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.DeleteMessage, request.QueueUrl, 1);
        return inner.DeleteMessageAsync(request, cancellationToken);
    }

    public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.DeleteMessageBatch, request.QueueUrl, request.Entries.Count);
        return inner.DeleteMessageBatchAsync(request, cancellationToken);
    }

    public Task<ChangeMessageVisibilityResponse> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.ChangeMessageVisibility, request.QueueUrl, 1);
        return inner.ChangeMessageVisibilityAsync(request, cancellationToken);
    }

    public Task<ChangeMessageVisibilityBatchResponse> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, CancellationToken cancellationToken = default)
    {
        counter.Call(SqsAction.ChangeMessageVisibility, request.QueueUrl, request.Entries.Count);
        return inner.ChangeMessageVisibilityBatchAsync(request, cancellationToken);
    }
}
