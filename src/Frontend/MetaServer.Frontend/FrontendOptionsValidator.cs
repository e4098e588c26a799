using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend;

/// <summary>Checks <see cref="FrontendOptions"/> at start-up, including the nested token settings.</summary>
internal sealed class FrontendOptionsValidator : IValidateOptions<FrontendOptions>
{
    public ValidateOptionsResult Validate(string? name, FrontendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Annotations(options, "MetaServer:Frontend", failures);
        Annotations(options.Tokens, "MetaServer:Frontend:Tokens", failures);

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out _))
            {
                failures.Add($"MetaServer:Frontend:AllowedOrigins entry '{origin}' is not an absolute origin such as https://game.example.");
            }
        }

        var tokens = options.Tokens;
        if (!string.IsNullOrWhiteSpace(tokens.SigningKey))
        {
            if (SigningKeyLoader.TryDecode(tokens.SigningKey) is not { } key)
            {
                failures.Add("MetaServer:Frontend:Tokens:SigningKey is not valid base64.");
            }
            else if (key.Length < TokenOptions.MinKeyBytes)
            {
                failures.Add($"MetaServer:Frontend:Tokens:SigningKey must decode to at least {TokenOptions.MinKeyBytes} bytes.");
            }
        }
        else if (!tokens.AllowGeneratedSigningKey)
        {
            failures.Add(
                "MetaServer:Frontend:Tokens:SigningKey is not set. Configure a base64 key of at least 32 bytes "
                + "(the same on every frontend), e.g. from `openssl rand -base64 32`, or set "
                + "MetaServer:Frontend:Tokens:AllowGeneratedSigningKey=true for a single-process setup.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Annotations(object instance, string section, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                failures.Add($"{section}: {result.ErrorMessage}");
            }
        }
    }
}
