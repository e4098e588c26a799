using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using MetaServer.Aws;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>Request shape, signing, retries and error mapping of <see cref="SqsClient"/>, against a loopback server.</summary>
public sealed partial class SqsClientWireTests : IAsyncLifetime
{
    private const string QueueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/v1-req-test";
    private readonly HttpClient _http = new();
    private LoopbackSqsServer? _server;

    private LoopbackSqsServer Server => _server!;

    public async Task InitializeAsync() => _server = await LoopbackSqsServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }

    private SqsClient Client(TimeProvider? time = null, int maxRetries = 3, AWSCredentials? credentials = null) =>
        new(
            _http,
            new SqsOptions { ServiceUrl = Server.Endpoint.ToString(), Region = "eu-west-1", MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) },
            time ?? TimeProvider.System,
            NullLogger<SqsClient>.Instance,
            credentials ?? new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));

    [Fact]
    public async Task SendMessageAsync_Request_HasJsonProtocolShape()
    {
        Server.Enqueue(ScriptedResponse.Ok("""{"MessageId":"m-1","MD5OfMessageBody":"x"}"""));

        var response = await Client().SendMessageAsync(new SendMessageRequest { QueueUrl = QueueUrl, MessageBody = "aGk=" });

        Assert.Equal("m-1", response.MessageId);
        var request = Assert.Single(Server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("AmazonSQS.SendMessage", request.Header("x-amz-target"));
        Assert.Equal("application/x-amz-json-1.0", request.Header("content-type"));
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", request.Header("x-amz-date"));
        var match = AuthorizationPattern().Match(request.Header("authorization"));
        Assert.True(match.Success, request.Header("authorization"));
        Assert.Equal("AKIDEXAMPLE", match.Groups["key"].Value);
        Assert.Equal(request.Header("x-amz-date")[..8], match.Groups["date"].Value);
        Assert.Equal("eu-west-1", match.Groups["region"].Value);
        Assert.Equal("content-type;host;x-amz-date;x-amz-target", match.Groups["signed"].Value);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(QueueUrl, body.RootElement.GetProperty("QueueUrl").GetString());
        Assert.Equal("aGk=", body.RootElement.GetProperty("MessageBody").GetString());
        Assert.False(body.RootElement.TryGetProperty("DelaySeconds", out _), "Unset optional fields are left out.");
    }

    [Fact]
    public async Task ReceiveMessageAsync_Request_UsesOfficialFieldNames()
    {
        Server.Enqueue(ScriptedResponse.Ok("""{"Messages":[{"MessageId":"m","ReceiptHandle":"r","Body":"b","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1700000000000"}}]}"""));

        var response = await Client().ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = QueueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 0,
            VisibilityTimeout = 30,
            MessageSystemAttributeNames = ["ApproximateReceiveCount", "SentTimestamp"],
        });

        var message = Assert.Single(response.Messages!);
        Assert.Equal("3", message.Attributes!["ApproximateReceiveCount"]);
        var request = Assert.Single(Server.Requests);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(10, body.RootElement.GetProperty("MaxNumberOfMessages").GetInt32());
        Assert.Equal(0, body.RootElement.GetProperty("WaitTimeSeconds").GetInt32());
        Assert.Equal(30, body.RootElement.GetProperty("VisibilityTimeout").GetInt32());
        Assert.Equal(2, body.RootElement.GetProperty("MessageSystemAttributeNames").GetArrayLength());
    }

    [Fact]
    public async Task CreateQueueAsync_Tags_SentAsLowerCaseTagsField()
    {
        Server.Enqueue(ScriptedResponse.Ok($$"""{"QueueUrl":"{{QueueUrl}}"}"""));

        await Client().CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = "v1-req-test",
            Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "30" },
            Tags = new Dictionary<string, string> { ["k"] = "v" },
        });

        using var body = JsonDocument.Parse(Assert.Single(Server.Requests).Body);
        Assert.Equal("v", body.RootElement.GetProperty("tags").GetProperty("k").GetString());
        Assert.Equal("30", body.RootElement.GetProperty("Attributes").GetProperty("VisibilityTimeout").GetString());
    }

    [Fact]
    public async Task AnyCall_FixedCredentialsAndTime_SignatureMatchesIndependentSigV4()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        Server.Enqueue(ScriptedResponse.Ok("""{"QueueUrl":"u"}"""));

        await Client(time, maxRetries: 0).GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = "v1-req-test" });

        var request = Assert.Single(Server.Requests);
        Assert.Equal("20260304T050607Z", request.Header("x-amz-date"));
        var expected = IndependentSignature(request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1", "content-type;host;x-amz-date;x-amz-target");
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={expected}",
            request.Header("authorization"));
    }

    [Fact]
    public async Task AnyCall_SessionCredentials_SignsSecurityToken()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        Server.Enqueue(ScriptedResponse.Ok("""{"QueueUrl":"u"}"""));

        await Client(time, maxRetries: 0, new SessionAWSCredentials("AKIDEXAMPLE", "secret", "token-1")).GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = "q" });

        var request = Assert.Single(Server.Requests);
        Assert.Equal("token-1", request.Header("x-amz-security-token"));
        var signedHeaders = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        Assert.EndsWith($"SignedHeaders={signedHeaders}, Signature={IndependentSignature(request, "secret", "eu-west-1", signedHeaders)}", request.Header("authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeSignature_AwsDocumentedExample_MatchesPublishedSignature()
    {
        // The worked example of the AWS General Reference (IAM ListUsers, 2015-08-30).
        const string stringToSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";

        var signature = AwsSigV4Signer.ComputeSignature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam", stringToSign);

        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", signature);
    }

    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(400, "ThrottlingException")]
    [InlineData(400, "RequestThrottled")]
    [InlineData(429, "TooManyRequestsException")]
    public async Task AnyCall_RetryableErrorThenSuccess_Retries(int status, string type)
    {
        Server.Enqueue(ScriptedResponse.Error(status, type, "slow down"), ScriptedResponse.Error(status, type, "slow down"), ScriptedResponse.Ok("""{"QueueUrl":"u"}"""));

        var response = await Client().GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = "q" });

        Assert.Equal("u", response.QueueUrl);
        Assert.Equal(3, Server.Requests.Count);
    }

    [Fact]
    public async Task AnyCall_RetryableErrorEveryTime_GivesUpAfterMaxRetries()
    {
        Server.Fallback = ScriptedResponse.Error(500, "InternalError", "broken");

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client(maxRetries: 2).GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = "q" }));

        Assert.Equal(3, Server.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("InternalError", ex.AwsErrorCode);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task AnyCall_ClientError_NotRetriedAndMapped()
    {
        Server.Enqueue(ScriptedResponse.Error(400, "InvalidParameterValue", "Value 99 for parameter MaxNumberOfMessages is invalid.", "InvalidParameterValue;Sender"));

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client().ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = QueueUrl, MaxNumberOfMessages = 99 }));

        Assert.Single(Server.Requests);
        Assert.Equal(TransportErrorCodes.InvalidParameterValue, ex.ErrorCode);
        Assert.Equal("InvalidParameterValue", ex.AwsErrorCode);
        Assert.Equal("InvalidParameterValue", ex.QueryErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("MaxNumberOfMessages is invalid", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task AnyCall_QueueDoesNotExist_ThrowsQueueDoesNotExistWithQueueName()
    {
        Server.Enqueue(ScriptedResponse.Error(400, "QueueDoesNotExist", "The specified queue does not exist.", "AWS.SimpleQueueService.NonExistentQueue;Sender"));

        var ex = await Assert.ThrowsAsync<QueueDoesNotExistException>(() => Client().SendMessageAsync(new SendMessageRequest { QueueUrl = QueueUrl, MessageBody = "x" }));

        Assert.Equal("v1-req-test", ex.QueueName);
        Assert.Equal(TransportErrorCodes.QueueDoesNotExist, ex.ErrorCode);
        Assert.Single(Server.Requests);
    }

    [Theory]
    [InlineData("QueueNameExists", TransportErrorCodes.QueueNameExists)]
    [InlineData("TooManyEntriesInBatchRequest", TransportErrorCodes.TooManyEntriesInBatchRequest)]
    [InlineData("EmptyBatchRequest", TransportErrorCodes.EmptyBatchRequest)]
    [InlineData("MessageNotInflight", TransportErrorCodes.MessageNotInflight)]
    [InlineData("ReceiptHandleIsInvalid", TransportErrorCodes.ReceiptHandleIsInvalid)]
    [InlineData("BatchRequestTooLong", "BatchRequestTooLong")]
    public async Task AnyCall_AwsErrorType_MapsToTransportCode(string type, string expectedCode)
    {
        Server.Enqueue(ScriptedResponse.Error(400, type, "nope"));

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client().DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = QueueUrl, ReceiptHandle = "r" }));

        Assert.Equal(expectedCode, ex.ErrorCode);
        Assert.Equal(type, ex.AwsErrorCode);
    }

    [Fact]
    public async Task SendMessageBatchAsync_PartialFailure_ReportsEntries()
    {
        Server.Enqueue(ScriptedResponse.Ok("""{"Successful":[{"Id":"0","MessageId":"m0"}],"Failed":[{"Id":"1","Code":"InvalidParameterValue","Message":"too long","SenderFault":true}]}"""));

        var response = await Client().SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = QueueUrl,
            Entries = [new SendMessageBatchRequestEntry { Id = "0", MessageBody = "a" }, new SendMessageBatchRequestEntry { Id = "1", MessageBody = "b" }],
        });

        Assert.Equal("m0", Assert.Single(response.Successful!).MessageId);
        var failed = Assert.Single(response.Failed!);
        Assert.Equal(("1", "InvalidParameterValue", true), (failed.Id, failed.Code, failed.SenderFault));
        using var body = JsonDocument.Parse(Assert.Single(Server.Requests).Body);
        Assert.Equal("1", body.RootElement.GetProperty("Entries")[1].GetProperty("Id").GetString());
    }

    [Fact]
    public async Task AnyCall_NonJsonErrorBody_MappedFromStatus()
    {
        Server.Enqueue(new ScriptedResponse(403, "<html>denied</html>"));

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client().PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = QueueUrl }));

        Assert.Equal("Http403", ex.AwsErrorCode);
        Assert.Single(Server.Requests);
    }

    /// <summary>SigV4 from the spec, with the BCL only: canonical request, string to sign, derived key, HMAC.</summary>
    private static string IndependentSignature(CapturedRequest request, string secret, string region, string signedHeaders)
    {
        var amzDate = request.Header("x-amz-date");
        var date = amzDate[..8];
        var canonicalHeaders = string.Concat(signedHeaders.Split(';').Select(h => $"{h}:{request.Header(h).Trim()}\n"));
        var canonicalRequest = $"POST\n/\n\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(request.Body))}";
        var scope = $"{date}/{region}/sqs/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { date, region, "sqs", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>[0-9]{8})/(?<region>[a-z0-9-]+)/sqs/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<sig>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();
}
