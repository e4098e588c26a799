using MetaServer.Protocol.V1;

namespace MetaServer.Frontend.Tests;

public sealed class SessionStateMachineTests
{
    public enum Setup
    {
        Connected,
        Authenticated,
        InFlight,
        Draining,
    }

    private static Envelope Request(string payload, ulong id = 7) => payload switch
    {
        "auth_device" => new Envelope { RequestId = id, AuthDevice = new AuthDeviceRequest { DeviceId = "device-1" } },
        "auth_device_empty" => new Envelope { RequestId = id, AuthDevice = new AuthDeviceRequest() },
        "auth_token" => new Envelope { RequestId = id, AuthToken = new AuthTokenRequest { Token = "x.y.z" } },
        "get_account" => new Envelope { RequestId = id, GetAccount = new GetAccountRequest() },
        "auth_response" => new Envelope { RequestId = id, Auth = new AuthResponse() },
        "account_response" => new Envelope { RequestId = id, Account = new AccountResponse() },
        "disconnect_event" => new Envelope { RequestId = id, Disconnect = new DisconnectEvent() },
        "set_nickname" => new Envelope { RequestId = id, SetNickname = new SetNicknameRequest { Nickname = "Ace" } },
        "account_updated_event" => new Envelope { RequestId = id, AccountUpdated = new AccountUpdatedEvent() },
        "none" => new Envelope { RequestId = id },
        _ => throw new ArgumentOutOfRangeException(nameof(payload)),
    };

    private static SessionStateMachine Arrange(Setup setup)
    {
        var machine = new SessionStateMachine();
        if (setup is Setup.Authenticated or Setup.InFlight or Setup.Draining)
        {
            Assert.True(machine.OnRequest(Request("auth_device", 1)).Accepted);
            machine.Authenticate("acc-1");
            machine.CompleteRequest(1);
        }

        if (setup == Setup.InFlight)
        {
            Assert.True(machine.OnRequest(Request("get_account", 2)).Accepted);
        }

        if (setup == Setup.Draining)
        {
            Assert.True(machine.BeginDrain());
        }

        return machine;
    }

    [Theory]
    [InlineData(Setup.Connected, "auth_device", ResultCode.Ok)]
    [InlineData(Setup.Connected, "auth_token", ResultCode.Ok)]
    [InlineData(Setup.Connected, "get_account", ResultCode.NotAuthenticated)]
    [InlineData(Setup.Connected, "auth_device_empty", ResultCode.InvalidArgument)]
    [InlineData(Setup.Connected, "none", ResultCode.InvalidArgument)]
    [InlineData(Setup.Connected, "auth_response", ResultCode.InvalidArgument)]
    [InlineData(Setup.Connected, "account_response", ResultCode.InvalidArgument)]
    [InlineData(Setup.Connected, "disconnect_event", ResultCode.InvalidArgument)]
    [InlineData(Setup.Connected, "set_nickname", ResultCode.NotAuthenticated)]
    [InlineData(Setup.Connected, "account_updated_event", ResultCode.InvalidArgument)]
    [InlineData(Setup.Authenticated, "set_nickname", ResultCode.Ok)]
    [InlineData(Setup.Authenticated, "account_updated_event", ResultCode.InvalidArgument)]
    [InlineData(Setup.InFlight, "set_nickname", ResultCode.RequestInFlight)]
    [InlineData(Setup.Draining, "set_nickname", ResultCode.Unavailable)]
    [InlineData(Setup.Authenticated, "get_account", ResultCode.Ok)]
    [InlineData(Setup.Authenticated, "auth_device", ResultCode.AlreadyAuthenticated)]
    [InlineData(Setup.Authenticated, "auth_token", ResultCode.AlreadyAuthenticated)]
    [InlineData(Setup.Authenticated, "auth_response", ResultCode.InvalidArgument)]
    [InlineData(Setup.InFlight, "get_account", ResultCode.RequestInFlight)]
    [InlineData(Setup.InFlight, "auth_device", ResultCode.RequestInFlight)]
    [InlineData(Setup.InFlight, "none", ResultCode.InvalidArgument)]
    [InlineData(Setup.Draining, "get_account", ResultCode.Unavailable)]
    [InlineData(Setup.Draining, "auth_device", ResultCode.Unavailable)]
    public void OnRequest_RulesTable_GivesExpectedOutcome(Setup setup, string payload, ResultCode expected)
    {
        var machine = Arrange(setup);
        var before = machine.InFlightRequestId;

        var decision = machine.OnRequest(Request(payload, 9));

        Assert.Equal(expected, decision.Code);
        Assert.Equal(expected == ResultCode.Ok, decision.Accepted);
        Assert.Equal(expected == ResultCode.Ok ? 9UL : before, machine.InFlightRequestId);
        if (!decision.Accepted)
        {
            Assert.False(string.IsNullOrEmpty(decision.Message));
        }
    }

    [Fact]
    public void OnRequest_RequestIdZero_InvalidArgument()
    {
        var machine = new SessionStateMachine();

        var decision = machine.OnRequest(Request("auth_device", 0));

        Assert.Equal(ResultCode.InvalidArgument, decision.Code);
        Assert.Null(machine.InFlightRequestId);
    }

    [Fact]
    public void CompleteRequest_AfterInFlight_AllowsNextRequest()
    {
        var machine = Arrange(Setup.InFlight);

        var closeNow = machine.CompleteRequest(2);

        Assert.False(closeNow);
        Assert.True(machine.OnRequest(Request("get_account", 3)).Accepted);
    }

    [Fact]
    public void Authenticate_AfterAuthRequest_MovesToAuthenticated()
    {
        var machine = new SessionStateMachine();
        machine.OnRequest(Request("auth_token", 1));

        machine.Authenticate("acc-9");
        machine.CompleteRequest(1);

        Assert.Equal(SessionState.Authenticated, machine.State);
        Assert.Equal("acc-9", machine.AccountId);
    }

    [Fact]
    public void BeginDrain_WithRequestInFlight_WaitsUntilItCompletes()
    {
        var machine = Arrange(Setup.InFlight);

        Assert.False(machine.BeginDrain());
        Assert.Equal(SessionState.Draining, machine.State);
        Assert.True(machine.CompleteRequest(2));
    }

    [Fact]
    public void Close_FromAnyState_IsClosedAndRefusesRequests()
    {
        var machine = Arrange(Setup.Authenticated);

        machine.Close();

        Assert.Equal(SessionState.Closed, machine.State);
        Assert.False(machine.OnRequest(Request("get_account")).Accepted);
        Assert.False(machine.BeginDrain());
    }
}
