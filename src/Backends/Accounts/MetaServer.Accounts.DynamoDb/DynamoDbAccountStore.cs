using MetaServer.DynamoDb;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Storage;
using Microsoft.Extensions.Logging;
using T = MetaServer.Accounts.DynamoDb.AccountsTableDefinition;

namespace MetaServer.Accounts.DynamoDb;

/// <summary>
/// <see cref="IAccountStore"/> on one DynamoDB table (layout: <see cref="AccountsTableDefinition"/>), with
/// single-item conditional writes only, no transactions:
/// <list type="bullet">
/// <item><description>
/// <see cref="CreateForDeviceAsync"/> follows the order of <see cref="IAccountStore"/>: put the device claim
/// <c>attribute_not_exists(pk)</c> (on failure read the claim and use its account id), then put the account
/// <c>attribute_not_exists(pk)</c> (on failure read and return the account that won). A claim whose account is
/// missing (a crash between the two writes) is completed by the next creation for that device.
/// </description></item>
/// <item><description>
/// Identity claims (<see cref="ClaimIdentityAsync"/>, <see cref="ReleaseIdentityAsync"/>) are single conditional
/// writes of the claim item: put if absent or already this account's, take over a stale dangling claim only if
/// its account id and timestamp are unchanged, delete only if it still points at the account (see
/// <see cref="IAccountStore"/> for the link/unlink order and how crashes heal).
/// </description></item>
/// <item><description>
/// <see cref="TryUpdateAsync"/> puts the whole account item on condition <c>revision = expected</c>; a failed
/// condition (stale or missing account) is <see cref="AccountUpdateStatus.Conflict"/>, nothing is overwritten.
/// </description></item>
/// <item><description>
/// Every read is strongly consistent: reads feed read-modify-write cycles and creation decisions, and callers expect
/// to read their own writes (an eventually consistent read would turn into extra conflicts or a missed account).
/// </description></item>
/// <item><description>
/// <see cref="GetManyAsync"/> uses BatchGetItem in chunks of 100 keys and retries unprocessed keys with exponential
/// back-off and jitter.
/// </description></item>
/// </list>
/// Throttling and transient errors are retried by the SDK client (<see cref="DynamoDbAccountStoreOptions.MaxErrorRetry"/>);
/// what still fails propagates, so the request is redelivered. The client is not owned unless the store created it.
/// </summary>
public sealed partial class DynamoDbAccountStore : IAccountStore, IDisposable
{
    /// <summary>Most keys one BatchGetItem call accepts.</summary>
    public const int BatchGetMaxKeys = 100;

    /// <summary>Rounds in a row without any item returned before <see cref="GetManyAsync"/> gives up on unprocessed keys.</summary>
    public const int MaxUnprocessedRetries = 10;

    /// <summary>Rounds of claim write and re-read before a claim that keeps changing fails the call.</summary>
    private const int MaxClaimRounds = 5;

    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(2);

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DynamoDbAccountStore> _logger;

    /// <param name="client">The DynamoDB client; not disposed by the store unless <paramref name="ownsClient"/>.</param>
    /// <param name="tableName">The accounts table.</param>
    /// <param name="timeProvider">Clock for claim timestamps and retry back-off.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>.</param>
    public DynamoDbAccountStore(
        IAmazonDynamoDB client, string tableName, TimeProvider timeProvider, ILogger<DynamoDbAccountStore> logger, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (!DynamoDbNames.IsValidTableName(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid DynamoDB table name.", nameof(tableName));
        }

        _client = client;
        _ownsClient = ownsClient;
        TableName = tableName;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string TableName { get; }

    /// <summary>
    /// Checks that the table exists, is active and has the key schema of <see cref="AccountsTableDefinition"/>;
    /// creates it first when it is missing and <paramref name="createIfMissing"/>. Throws when it is missing (and
    /// not to be created), never becomes active, or has another key schema.
    /// </summary>
    public async Task InitializeAsync(bool createIfMissing, CancellationToken cancellationToken)
    {
        var created = await DynamoDbTableSetup.EnsureReadyAsync(
            _client, TableName, AccountsTableDefinition.CreateTableRequest, AccountsTableDefinition.DescribeKeySchemaMismatch, createIfMissing, DynamoDbAccountStoreOptions.SectionName, _timeProvider, cancellationToken);
        if (created)
        {
            LogTableCreated(TableName);
        }

        LogTableReady(TableName);
    }

    public async Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var item = await GetItemAsync(T.AccountKey(accountId), cancellationToken);
        return item is null ? null : ReadAccount(item);
    }

    public async Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        var found = new Dictionary<string, Account>(StringComparer.Ordinal);
        foreach (var chunk in accountIds.Distinct(StringComparer.Ordinal).Chunk(BatchGetMaxKeys))
        {
            foreach (var id in chunk)
            {
                ArgumentException.ThrowIfNullOrEmpty(id, nameof(accountIds));
            }

            await BatchGetChunkAsync([.. chunk.Select(T.AccountKey)], found, cancellationToken);
        }

        return found;
    }

    public Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        return FindByIdentityAsync(LinkedIdentity.Device(deviceId), cancellationToken);
    }

    public Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(newAccount);
        if (!newAccount.DeviceIds.Contains(deviceId, StringComparer.Ordinal))
        {
            throw new ArgumentException("A new account must list the device it is created for.", nameof(newAccount));
        }

        return CreateForIdentityAsync(LinkedIdentity.Device(deviceId), newAccount, cancellationToken);
    }

    public async Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        var claim = await ReadClaimAsync(identity, cancellationToken);
        if (claim is null)
        {
            return null;
        }

        var account = await GetAsync(claim.AccountId, cancellationToken);
        return account is not null && account.HasIdentity(identity) ? account : null;
    }

    public async Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentNullException.ThrowIfNull(newAccount);
        if (newAccount.Revision != 1)
        {
            throw new ArgumentException("A new account must have revision 1.", nameof(newAccount));
        }

        if (!newAccount.HasIdentity(identity))
        {
            throw new ArgumentException("A new account must list the identity it is created for.", nameof(newAccount));
        }

        // 1. Claim the identity, or find the account id it is already claimed for.
        var toWrite = newAccount;
        for (var round = 1; !await TryPutClaimAsync(identity, newAccount.AccountId, previous: null, cancellationToken); round++)
        {
            var claim = await ReadClaimAsync(identity, cancellationToken);
            if (claim is null)
            {
                // Released between our write and read: claim again.
                EnsureRoundsLeft(round);
                continue;
            }

            var existing = await GetAsync(claim.AccountId, cancellationToken);
            if (existing is null)
            {
                // A half-finished creation (claimed, account missing), or a creation still in flight: complete it.
                toWrite = newAccount with { AccountId = claim.AccountId };
                LogCompletingClaim(claim.AccountId);
                break;
            }

            if (existing.HasIdentity(identity))
            {
                return new DeviceAccountResult(existing, Created: false);
            }

            if (!IsStale(claim))
            {
                throw new IdentityClaimBusyException(identity.KindName);
            }

            // A dangling claim nobody completed: take it over (only if unchanged since we read it).
            if (await TryPutClaimAsync(identity, newAccount.AccountId, claim, cancellationToken))
            {
                break;
            }

            EnsureRoundsLeft(round);
        }

        // 2. Write the account unless another writer already did.
        var item = AccountItem(toWrite, revision: 1);
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#pk)",
                    ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#pk"] = T.PartitionKey },
                },
                cancellationToken);
            return new DeviceAccountResult(toWrite, Created: true);
        }
        catch (ConditionalCheckFailedException)
        {
            var winner = await GetAsync(toWrite.AccountId, cancellationToken)
                ?? throw new InvalidOperationException($"DynamoDB table '{TableName}': account '{toWrite.AccountId}' vanished after a failed create.");
            return new DeviceAccountResult(winner, Created: false);
        }
    }

    public async Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        for (var round = 1; ; round++)
        {
            if (await TryPutClaimAsync(identity, accountId, previous: null, cancellationToken, orOwnedBy: accountId))
            {
                return IdentityClaimResult.Success;
            }

            var claim = await ReadClaimAsync(identity, cancellationToken);
            if (claim is not null)
            {
                var holder = await GetAsync(claim.AccountId, cancellationToken);
                if (holder is null || holder.HasIdentity(identity) || !IsStale(claim))
                {
                    return IdentityClaimResult.HeldBy(claim.AccountId);
                }

                if (await TryPutClaimAsync(identity, accountId, claim, cancellationToken))
                {
                    return IdentityClaimResult.Success;
                }
            }

            EnsureRoundsLeft(round);
        }
    }

    public async Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        try
        {
            await _client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = T.IdentityKey(identity),
                    ConditionExpression = "#account = :account",
                    ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#account"] = T.AccountIdAttribute },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
                    {
                        [":account"] = new AttributeValue { S = accountId },
                    },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Absent, or claimed by another account: nothing of ours to release.
        }
    }

    public async Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrEmpty(account.AccountId, nameof(account));
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRevision, 1);
        var stored = account with { Revision = expectedRevision + 1 };
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = AccountItem(stored, stored.Revision),
                    ConditionExpression = "#revision = :expected",
                    ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#revision"] = T.RevisionAttribute },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
                    {
                        [":expected"] = Number(expectedRevision),
                    },
                },
                cancellationToken);
            return AccountUpdateResult.Updated(stored);
        }
        catch (ConditionalCheckFailedException)
        {
            return AccountUpdateResult.Conflict;
        }
    }

    /// <summary>Disposes the client when the store created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>
    /// Puts the claim of <paramref name="identity"/> for <paramref name="accountId"/>: only if absent (or already
    /// <paramref name="orOwnedBy"/>'s), or, with <paramref name="previous"/>, only if still exactly that claim.
    /// </summary>
    private async Task<bool> TryPutClaimAsync(
        LinkedIdentity identity, string accountId, Claim? previous, CancellationToken cancellationToken, string? orOwnedBy = null)
    {
        var item = T.IdentityKey(identity);
        item[T.AccountIdAttribute] = new AttributeValue { S = accountId };
        item[T.ClaimedAtAttribute] = new AttributeValue { S = _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
        var names = new Dictionary<string, string>(StringComparer.Ordinal) { ["#pk"] = T.PartitionKey };
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        string condition;
        if (previous is not null)
        {
            names.Remove("#pk");
            names["#account"] = T.AccountIdAttribute;
            names["#at"] = T.ClaimedAtAttribute;
            values[":account"] = new AttributeValue { S = previous.AccountId };
            values[":at"] = new AttributeValue { S = previous.ClaimedAtText };
            condition = "#account = :account AND #at = :at";
        }
        else if (orOwnedBy is not null)
        {
            names["#account"] = T.AccountIdAttribute;
            values[":account"] = new AttributeValue { S = orOwnedBy };
            condition = "attribute_not_exists(#pk) OR #account = :account";
        }
        else
        {
            condition = "attribute_not_exists(#pk)";
        }

        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = item,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values.Count == 0 ? null : values,
                },
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<Claim?> ReadClaimAsync(LinkedIdentity identity, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(T.IdentityKey(identity), cancellationToken);
        if (item is null)
        {
            return null;
        }

        var accountId = item.TryGetValue(T.AccountIdAttribute, out var value) && !string.IsNullOrEmpty(value.S)
            ? value.S
            : throw new InvalidDataException($"DynamoDB table '{TableName}': the claim of a {identity.KindName} has no '{T.AccountIdAttribute}'.");
        var claimedAtText = item.TryGetValue(T.ClaimedAtAttribute, out var at) && at.S is not null ? at.S : string.Empty;
        var claimedAt = DateTimeOffset.TryParse(claimedAtText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed
            : DateTimeOffset.UnixEpoch;
        return new Claim(accountId, claimedAtText, claimedAt);
    }

    private bool IsStale(Claim claim) => _timeProvider.GetUtcNow() - claim.ClaimedAt >= IdentityClaims.StaleAfter;

    private void EnsureRoundsLeft(int round)
    {
        if (round >= MaxClaimRounds)
        {
            throw new InvalidOperationException($"DynamoDB table '{TableName}': an identity claim kept changing during {round} attempts.");
        }
    }

    private static void ValidateIdentity(LinkedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(identity.Id, nameof(identity));
    }

    /// <summary>A stored claim: its account, its timestamp as stored (for conditions) and parsed.</summary>
    private sealed record Claim(string AccountId, string ClaimedAtText, DateTimeOffset ClaimedAt);

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(Dictionary<string, AttributeValue> key, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = TableName, Key = key, ConsistentRead = true },
            cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task BatchGetChunkAsync(List<Dictionary<string, AttributeValue>> keys, Dictionary<string, Account> found, CancellationToken cancellationToken)
    {
        var pending = keys;
        var idleRounds = 0;
        var retryRound = 0;
        while (true)
        {
            var response = await _client.BatchGetItemAsync(
                new BatchGetItemRequest
                {
                    RequestItems = new Dictionary<string, KeysAndAttributes>(StringComparer.Ordinal)
                    {
                        [TableName] = new KeysAndAttributes { Keys = pending, ConsistentRead = true },
                    },
                },
                cancellationToken);

            var items = response.Responses is not null && response.Responses.TryGetValue(TableName, out var list) ? list : null;
            foreach (var item in items ?? [])
            {
                var account = ReadAccount(item);
                found[account.AccountId] = account;
            }

            var unprocessed = response.UnprocessedKeys is not null && response.UnprocessedKeys.TryGetValue(TableName, out var rest) ? rest.Keys : null;
            if (unprocessed is null || unprocessed.Count == 0)
            {
                return;
            }

            // Unprocessed keys: throttled or over the response size limit. Back off (reset after progress) and ask again.
            idleRounds = items is { Count: > 0 } ? 0 : idleRounds + 1;
            if (idleRounds > MaxUnprocessedRetries)
            {
                throw new ProvisionedThroughputExceededException(
                    $"DynamoDB table '{TableName}': {unprocessed.Count} keys stayed unprocessed after {MaxUnprocessedRetries} retries.");
            }

            retryRound = idleRounds == 0 ? 0 : retryRound + 1;
            var delay = BackoffDelay(retryRound);
            LogUnprocessedKeys(unprocessed.Count, delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
            pending = unprocessed;
        }
    }

    /// <summary>Exponential back-off with full jitter: a random delay up to min(max, base * 2^round).</summary>
    internal static TimeSpan BackoffDelay(int round)
    {
        var ceiling = Math.Min(RetryMaxDelay.TotalMilliseconds, RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(round, 16)));
        return TimeSpan.FromMilliseconds(Math.Max(1, ceiling * Random.Shared.NextDouble()));
    }

    private Dictionary<string, AttributeValue> AccountItem(Account account, long revision)
    {
        var item = T.AccountKey(account.AccountId);
        item[T.AccountIdAttribute] = new AttributeValue { S = account.AccountId };
        item[T.RevisionAttribute] = Number(revision);
        item[T.SchemaVersionAttribute] = Number(account.SchemaVersion);
        item[T.DocumentAttribute] = new AttributeValue { S = AccountDocumentSerializer.Serialize(account) };
        return item;
    }

    private Account ReadAccount(Dictionary<string, AttributeValue> item)
    {
        var accountId = item.TryGetValue(T.AccountIdAttribute, out var id) && !string.IsNullOrEmpty(id.S)
            ? id.S
            : throw Malformed(T.AccountIdAttribute);
        var revision = item.TryGetValue(T.RevisionAttribute, out var rev) && long.TryParse(rev.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r)
            ? r
            : throw Malformed(T.RevisionAttribute);
        var document = item.TryGetValue(T.DocumentAttribute, out var doc) && doc.S is not null
            ? doc.S
            : throw Malformed(T.DocumentAttribute);
        return AccountDocumentSerializer.Deserialize(accountId, revision, document);
    }

    private InvalidDataException Malformed(string attribute) =>
        new($"DynamoDB table '{TableName}': an account item has no valid '{attribute}' attribute.");

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    [LoggerMessage(Level = LogLevel.Information, Message = "Accounts: created DynamoDB table {TableName}")]
    private partial void LogTableCreated(string tableName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accounts: DynamoDB table {TableName} is active with the expected key schema")]
    private partial void LogTableReady(string tableName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accounts: completing the half-finished creation of account {AccountId}")]
    private partial void LogCompletingClaim(string accountId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accounts: {Count} keys unprocessed by BatchGetItem; retrying in {DelayMs:F0} ms")]
    private partial void LogUnprocessedKeys(int count, double delayMs);
}
