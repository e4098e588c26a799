using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MetaServer.Payments.AppStore.Tests;

/// <summary>
/// Makes an App Store-shaped certificate chain for tests: a root CA, an intermediate carrying Apple's intermediate
/// OID and a leaf carrying Apple's leaf OID, all ECDSA P-256. Never Apple's certificates.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private TestCertificates(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf)
    {
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The leaf, with its private key (signs the test JWSs).</summary>
    public X509Certificate2 Leaf { get; }

    public static TestCertificates Create(
        string name = "Test",
        bool intermediateOid = true,
        bool leafOid = true,
        DateTimeOffset? leafNotAfter = null,
        X509Certificate2? reuseRoot = null,
        X509Certificate2? reuseIntermediate = null)
    {
        using var createdRoot = reuseRoot is null ? CreateRoot(name) : null;
        var root = reuseRoot ?? createdRoot!;
        using var createdIntermediate = reuseIntermediate is null ? CreateIntermediate(root, name, intermediateOid) : null;
        var intermediate = reuseIntermediate ?? createdIntermediate!;
        var leaf = CreateLeaf(intermediate, name, leafOid, leafNotAfter ?? NotAfter.AddYears(-1));
        return new TestCertificates(Copy(root), Copy(intermediate), leaf);
    }

    public static X509Certificate2 CreateRoot(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} Root CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(NotBefore, NotAfter);
    }

    public static X509Certificate2 CreateIntermediate(X509Certificate2 root, string name, bool withOid = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} Worldwide Developer Relations", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        if (withOid)
        {
            request.CertificateExtensions.Add(new X509Extension(new Oid(AppStoreJwsVerifier.IntermediateOid), [0x05, 0x00], false));
        }

        using var issued = request.Create(root, NotBefore, NotAfter.AddDays(-1), RandomSerial());
        return issued.CopyWithPrivateKey(key);
    }

    public static X509Certificate2 CreateLeaf(X509Certificate2 intermediate, string name, bool withOid, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} Prod ECC Mac App Store and iTunes Store Receipt Signing", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
        if (withOid)
        {
            request.CertificateExtensions.Add(new X509Extension(new Oid(AppStoreJwsVerifier.LeafOid), [0x05, 0x00], false));
        }

        using var issued = request.Create(intermediate, NotBefore, notAfter, RandomSerial());
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Leaf.Dispose();
    }

    private static X509Certificate2 Copy(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(16);
}
