using Amazon.DynamoDBv2.Model;
using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Storage;

namespace MetaServer.Accounts.Tests;

/// <summary>The contract suite on <see cref="DynamoDbAccountStore"/> against dynalite, a fresh table per test.</summary>
public sealed class DynamoDbAccountStoreContractTests(DynaliteFixture dynalite) : AccountStoreContractTests, IClassFixture<DynaliteFixture>
{
    private DynamoDbAccountStore? _dynamo;

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _dynamo = await dynalite.CreateStoreAsync(new WallTimersManualNow(Clock));
        return _dynamo;
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_dynamo is not null)
        {
            await dynalite.DeleteTableAsync(_dynamo.TableName);
            _dynamo.Dispose();
        }
    }

    /// <summary>Only the device claim, exactly as step 1 of a creation writes it.</summary>
    protected override async Task SeedHalfFinishedCreationAsync(string deviceId, string claimedAccountId)
    {
        using var client = dynalite.CreateClient();
        var item = AccountsTableDefinition.DeviceKey(deviceId);
        item[AccountsTableDefinition.AccountIdAttribute] = new AttributeValue { S = claimedAccountId };
        item[AccountsTableDefinition.ClaimedAtAttribute] = new AttributeValue { S = TestAccounts.Epoch.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        await client.PutItemAsync(new PutItemRequest { TableName = _dynamo!.TableName, Item = item });
    }
}
