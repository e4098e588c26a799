using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// The registrations every AWS client shares: <typeparamref name="TOptions"/> bound from
    /// <paramref name="sectionName"/> and validated at start (data annotations and <typeparamref name="TValidator"/>),
    /// a <see cref="TimeProvider"/> (the system clock if none is registered) and the named HttpClient
    /// <paramref name="httpClientName"/> with no timeout of its own (each call has its own time limit).
    /// </summary>
    public static IServiceCollection AddAwsServiceOptions<TOptions, TValidator>(
        this IServiceCollection services,
        IConfiguration configuration,
        string sectionName,
        string httpClientName)
        where TOptions : AwsServiceOptions
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        ArgumentException.ThrowIfNullOrEmpty(httpClientName);
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(sectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(httpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
