using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>JSON protocol timestamps: seconds since the Unix epoch, possibly fractional (an ISO 8601 string is accepted too).</summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(reader.GetDouble() * TimeSpan.TicksPerSecond));
            case JsonTokenType.String when DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                return parsed;
            default:
                throw new JsonException("A timestamp must be epoch seconds (a number) or an ISO 8601 string.");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteNumberValue((value.Value - DateTimeOffset.UnixEpoch).Ticks / (decimal)TimeSpan.TicksPerSecond);
    }
}
