using MetaServer.Matches.Leaderboards;
using MetaServer.Testing;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Leaderboards;

public sealed class LeaderboardSeasonsTests
{
    private static LeaderboardSeasons Seasons(SeasonLength length, int readablePast = 3) =>
        new(Options.Create(new LeaderboardOptions { Season = length, ReadablePastSeasons = readablePast }));

    [Fact]
    public void At_Monthly_RollsOverAtTheFirstOfTheMonthUtc()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero));
        var seasons = Seasons(SeasonLength.Monthly);

        var november = seasons.At(time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(1));
        var december = seasons.At(time.GetUtcNow());

        Assert.Equal(new LeaderboardSeason("2026-11", "rating.2026-11", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), november);
        Assert.Equal("rating.2026-12", december.BoardId);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), december.EndsAt);
    }

    [Fact]
    public void At_Weekly_RollsOverEverySevenDaysFromTheAnchor()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 23, 0, 0, TimeSpan.Zero)); // a Sunday
        var seasons = Seasons(SeasonLength.Weekly); // anchor Monday 2026-01-05 00:00 UTC

        var week = seasons.At(time.GetUtcNow());
        time.Advance(TimeSpan.FromHours(1));
        var next = seasons.At(time.GetUtcNow());

        Assert.Equal("2026-11-16", week.Id);
        Assert.Equal("rating.2026-11-16", week.BoardId);
        Assert.Equal("2026-11-23", next.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), next.EndsAt);
    }

    [Fact]
    public void At_None_OneBoardForever()
    {
        var seasons = Seasons(SeasonLength.None);

        Assert.Equal(new LeaderboardSeason(string.Empty, "rating", null, null), seasons.At(new DateTimeOffset(2030, 5, 5, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Readable_PastSeasons_OnlyTheConfiguredNumber()
    {
        var now = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var seasons = Seasons(SeasonLength.Monthly, readablePast: 2);

        Assert.Equal("rating.2026-11", seasons.Readable("2026-11", now)!.BoardId);
        Assert.Equal("rating.2026-09", seasons.Readable("2026-09", now)!.BoardId);
        Assert.Null(seasons.Readable("2026-08", now));
        Assert.Null(seasons.Readable("2026-12", now));
    }
}
