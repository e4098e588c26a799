using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace MetaServer.Aws;

/// <summary>Credentials of a client: an explicit access key (with optional session token), or the AWS default chain.</summary>
public static class AwsCredentialsResolver
{
    public static AWSCredentials Resolve(string? accessKey, string? secretKey, string? sessionToken)
    {
        if (!string.IsNullOrEmpty(accessKey))
        {
            return string.IsNullOrEmpty(sessionToken)
                ? new BasicAWSCredentials(accessKey, secretKey)
                : new SessionAWSCredentials(accessKey, secretKey, sessionToken);
        }

        // Environment variables, shared profile, web identity, ECS task role, EC2 instance role.
        return DefaultAWSCredentialsIdentityResolver.GetCredentials();
    }

    /// <summary>How credentials are obtained, for start-up logs (never the secrets themselves).</summary>
    public static string DescribeSource(string? accessKey) =>
        string.IsNullOrEmpty(accessKey) ? "AWS default chain" : "configured access key";
}
