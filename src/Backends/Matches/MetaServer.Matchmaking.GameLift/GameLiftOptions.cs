using MetaServer.Aws;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>
/// Amazon GameLift client settings, bound from <c>MetaServer:GameLift</c>: the common AWS client settings of
/// <see cref="AwsServiceOptions"/>. Empty <see cref="AwsServiceOptions.ServiceUrl"/>: <c>https://gamelift.{Region}.amazonaws.com</c>.
/// </summary>
public sealed class GameLiftOptions : AwsServiceOptions
{
    public const string SectionName = "MetaServer:GameLift";

    public GameLiftOptions()
        : base(SectionName, "gamelift")
    {
    }
}

/// <summary>Cross-field checks of <see cref="GameLiftOptions"/>, run at start-up.</summary>
public sealed class GameLiftOptionsValidator : AwsServiceOptionsValidator<GameLiftOptions>;
