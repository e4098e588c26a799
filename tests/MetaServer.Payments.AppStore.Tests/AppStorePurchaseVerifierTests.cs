using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MetaServer.Payments.Verification;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore.Tests;

public sealed class AppStorePurchaseVerifierTests : IDisposable
{
    private readonly TestCertificates _apple = TestCertificates.Create("Test Apple");
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _apple.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_ValidTransaction_ReturnsPurchase()
    {
        var verifier = CreateVerifier();
        var token = "0123abcd-4567-89ef-0123-456789abcdef";
        var jws = TestJws.Sign(_apple, TestJws.Transaction(transactionId: "2000000999", quantity: 3, appAccountToken: token));

        var result = await verifier.VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        var purchase = Assert.IsType<VerifiedPurchase>(result.Purchase);
        Assert.Equal(PurchaseStore.AppStore, purchase.Store);
        Assert.Equal("2000000999", purchase.TransactionKey);
        Assert.Equal("com.example.metaserver.gems.small", purchase.ProductId);
        Assert.Equal(3, purchase.Quantity);
        Assert.Equal(TestJws.PurchasedAt, purchase.PurchasedAt);
        Assert.Equal("Production", purchase.Environment);
        Assert.Equal(token, purchase.AccountBinding);
        Assert.Null(purchase.OrderId);
    }

    [Fact]
    public async Task VerifyAsync_NoAppAccountTokenNoQuantity_BindingNullQuantityOne()
    {
        var verifier = CreateVerifier();
        var payload = TestJws.Transaction();
        payload.Remove("quantity");

        var result = await verifier.VerifyAsync(Proof(TestJws.Sign(_apple, payload)), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Null(result.Purchase!.AccountBinding);
        Assert.Equal(1, result.Purchase.Quantity);
    }

    [Fact]
    public async Task VerifyAsync_SandboxConfiguredSandboxTransaction_Valid()
    {
        var verifier = CreateVerifier(environment: "Sandbox");

        var result = await verifier.VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction(environment: "Sandbox"))), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal("Sandbox", result.Purchase!.Environment);
    }

    [Fact]
    public async Task VerifyAsync_LeafFromAnotherIntermediate_InvalidSignature()
    {
        // A forger's own intermediate (with Apple's OID) under their own root issues the leaf; the x5c still claims our
        // intermediate and root.
        using var forger = TestCertificates.Create("Forger");
        var header = new Dictionary<string, object?> { ["alg"] = "ES256", ["x5c"] = TestJws.Chain(forger.Leaf, _apple.Intermediate, _apple.Root) };
        var jws = TestJws.Sign(header, TestJws.Transaction(), forger.Leaf);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("chain", result.Detail, StringComparison.Ordinal);
        Assert.Null(result.Purchase);
    }

    [Fact]
    public async Task VerifyAsync_IntermediateSignedByOtherRootButNamedLikeOurs_InvalidSignature()
    {
        // Same subject names as ours (so name chaining alone would match) but keys of another root.
        using var lookalike = TestCertificates.Create("Test Apple");
        var header = new Dictionary<string, object?> { ["alg"] = "ES256", ["x5c"] = TestJws.Chain(lookalike.Leaf, lookalike.Intermediate, _apple.Root) };
        var jws = TestJws.Sign(header, TestJws.Transaction(), lookalike.Leaf);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("chain", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ChainToDifferentRoot_InvalidSignature()
    {
        using var other = TestCertificates.Create("Other");
        var jws = TestJws.Sign(other, TestJws.Transaction());

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("configured root", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_LeafWithoutAppleOid_InvalidSignature()
    {
        using var noLeafOid = TestCertificates.Create("Test Apple", leafOid: false, reuseRoot: _apple.Root, reuseIntermediate: _apple.Intermediate);

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(noLeafOid, TestJws.Transaction())), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains(AppStoreJwsVerifier.LeafOid, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_IntermediateWithoutAppleOid_InvalidSignature()
    {
        using var noIntermediateOid = TestCertificates.Create("Test Apple", intermediateOid: false, reuseRoot: _apple.Root);

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(noIntermediateOid, TestJws.Transaction())), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains(AppStoreJwsVerifier.IntermediateOid, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_LeafExpiredAtSignedDate_InvalidSignature()
    {
        using var shortLived = TestCertificates.Create("Test Apple", leafNotAfter: TestJws.SignedAt.AddDays(-1), reuseRoot: _apple.Root, reuseIntermediate: _apple.Intermediate);

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(shortLived, TestJws.Transaction())), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("signed date", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_LeafValidAtSignedDateThoughExpiredNow_Valid()
    {
        // The chain is judged at the transaction's signedDate, not at the server's clock.
        var expiry = TestJws.SignedAt.AddDays(1);
        using var shortLived = TestCertificates.Create("Test Apple", leafNotAfter: expiry, reuseRoot: _apple.Root, reuseIntermediate: _apple.Intermediate);

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(shortLived, TestJws.Transaction())), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_AlgNone_InvalidSignature()
    {
        var header = TestJws.Header(_apple, "none");
        var jws = TestJws.Encode(header) + "." + TestJws.Encode(TestJws.Transaction()) + ".AAAA";

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("ES256", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_AlgHs256KeyedWithLeafCertificate_InvalidSignature()
    {
        // The classic confusion attack: HMAC keyed with public material.
        var signingInput = TestJws.Encode(TestJws.Header(_apple, "HS256")) + "." + TestJws.Encode(TestJws.Transaction());
        var mac = HMACSHA256.HashData(_apple.Leaf.RawData, Encoding.ASCII.GetBytes(signingInput));
        var jws = signingInput + "." + System.Buffers.Text.Base64Url.EncodeToString(mac);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_AlgRs256_InvalidSignature()
    {
        using var rsa = RSA.Create(2048);
        var signingInput = TestJws.Encode(TestJws.Header(_apple, "RS256")) + "." + TestJws.Encode(TestJws.Transaction());
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var jws = signingInput + "." + System.Buffers.Text.Base64Url.EncodeToString(signature);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_TamperedPayload_InvalidSignature()
    {
        var genuine = TestJws.Sign(_apple, TestJws.Transaction(quantity: 1)).Split('.');
        var tampered = genuine[0] + "." + TestJws.Encode(TestJws.Transaction(quantity: 10)) + "." + genuine[2];

        var result = await CreateVerifier().VerifyAsync(Proof(tampered), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_SignedByKeyOtherThanLeaf_InvalidSignature()
    {
        using var other = TestCertificates.Create("Other");
        var jws = TestJws.Sign(TestJws.Header(_apple), TestJws.Transaction(), other.Leaf);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("signature", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_WrongBundle_WrongBundle()
    {
        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction(bundleId: "com.other.game"))), CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongBundle, result.Verdict);
        Assert.Null(result.Purchase);
    }

    [Fact]
    public async Task VerifyAsync_SandboxTransactionInProduction_WrongEnvironment()
    {
        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction(environment: "Sandbox"))), CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongEnvironment, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_ProductionTransactionInSandbox_WrongEnvironment()
    {
        var result = await CreateVerifier(environment: "Sandbox").VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction())), CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongEnvironment, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_RevokedTransaction_Refunded()
    {
        var jws = TestJws.Sign(_apple, TestJws.Transaction(revokedAt: TestJws.SignedAt.AddMinutes(-5)));

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Refunded, result.Verdict);
        Assert.Null(result.Purchase);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(1)]
    public async Task VerifyAsync_X5cNotThreeCertificates_InvalidSignature(int count)
    {
        X509Certificate2[] all = [_apple.Leaf, _apple.Intermediate, _apple.Root, _apple.Root];
        var header = new Dictionary<string, object?> { ["alg"] = "ES256", ["x5c"] = TestJws.Chain(all[..count]) };
        var jws = TestJws.Sign(header, TestJws.Transaction(), _apple.Leaf);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Contains("expected 3", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NoX5c_InvalidSignature()
    {
        var jws = TestJws.Sign(new Dictionary<string, object?> { ["alg"] = "ES256" }, TestJws.Transaction(), _apple.Leaf);

        var result = await CreateVerifier().VerifyAsync(Proof(jws), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_X5cEntryNotACertificate_InvalidSignature()
    {
        var header = new Dictionary<string, object?> { ["alg"] = "ES256", ["x5c"] = new[] { "bm90IGEgY2VydA==", TestJws.Chain(_apple.Intermediate)[0], TestJws.Chain(_apple.Root)[0] } };

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(header, TestJws.Transaction(), _apple.Leaf)), CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not-a-jws")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("!!!.@@@.###")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AAAA")]
    [InlineData("WzFd.eyJhIjoxfQ.AAAA")]
    public async Task VerifyAsync_MalformedJws_Malformed(string receipt)
    {
        var result = await CreateVerifier().VerifyAsync(Proof(receipt), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Theory]
    [InlineData("transactionId")]
    [InlineData("productId")]
    [InlineData("bundleId")]
    [InlineData("purchaseDate")]
    [InlineData("signedDate")]
    public async Task VerifyAsync_SignedTransactionMissingField_Malformed(string field)
    {
        var payload = TestJws.Transaction();
        payload.Remove(field);

        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(_apple, payload)), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_ZeroQuantity_Malformed()
    {
        var result = await CreateVerifier().VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction(quantity: 0))), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_GooglePlayProof_Malformed()
    {
        var proof = new PurchaseProof(PurchaseStore.GooglePlay, TestJws.Sign(_apple, TestJws.Transaction()), "gems_small");

        var result = await CreateVerifier().VerifyAsync(proof, CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Fact]
    public async Task CompleteAsync_AnyPurchase_CompletesWithoutStoreCall()
    {
        var verifier = CreateVerifier();
        var result = await verifier.VerifyAsync(Proof(TestJws.Sign(_apple, TestJws.Transaction())), CancellationToken.None);

        var completion = verifier.CompleteAsync(result.Purchase!, CancellationToken.None);

        Assert.True(completion.IsCompletedSuccessfully);
        await completion;
    }

    private static PurchaseProof Proof(string receipt) => new(PurchaseStore.AppStore, receipt, null);

    private AppStorePurchaseVerifier CreateVerifier(string environment = "Production")
    {
        var options = Options.Create(new AppStoreOptions
        {
            BundleId = TestJws.BundleId,
            Environment = environment,
            RootCertificateBase64 = Convert.ToBase64String(_apple.Root.RawData),
        });
        var jws = new AppStoreJwsVerifier(options);
        _disposables.Add(jws);
        return new AppStorePurchaseVerifier(jws, options, NullLogger<AppStorePurchaseVerifier>.Instance);
    }
}
