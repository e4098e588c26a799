using System.ComponentModel.DataAnnotations;

namespace MetaServer.Hosting;

/// <summary>Settings every MetaServer process shares. Bound from the <c>MetaServer</c> configuration section.</summary>
public sealed class MetaServerOptions
{
    public const string SectionName = "MetaServer";

    /// <summary>
    /// Deployment version; prefixes every queue name so old and new versions run side by side.
    /// Letters, digits, '-' and '_' only.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,20}$", ErrorMessage = "MetaServer:DeploymentVersion must be 1-20 letters, digits, '-' or '_'.")]
    public string DeploymentVersion { get; set; } = "local";

    /// <summary>Folder for embedded-mode data (SQLite files, generated keys). Relative paths are taken from the working directory.</summary>
    [Required]
    public string DataDir { get; set; } = "data";

    /// <summary>Which queue transport to use; <see cref="TransportKind.Sqs"/> reads its settings from <c>MetaServer:Sqs</c>.</summary>
    public TransportKind Transport { get; set; } = TransportKind.Embedded;

    /// <summary>The data folder as a full path.</summary>
    public string DataDirFullPath => Path.GetFullPath(DataDir);
}

public enum TransportKind
{
    /// <summary>In-process queues with SQS semantics; all services must run in one process.</summary>
    Embedded = 0,

    /// <summary>Amazon SQS (or an SQS-compatible endpoint); services may run in separate processes.</summary>
    Sqs = 1,
}
