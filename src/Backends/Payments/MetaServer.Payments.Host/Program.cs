using MetaServer.Hosting;
using MetaServer.Payments;
using MetaServer.Payments.Clawbacks;
using MetaServer.Payments.Stores;
using MetaServer.Pipelines;

// Payments service on its own: consumes the payments.* queues, answers redemptions on the frontends' reply queues,
// sends grants and clawbacks to the accounts service, takes App Store Server Notifications over HTTP and polls Google
// Play voided purchases. The store verifiers (App Store, Google Play) are registered here once their projects land;
// until then every redemption answers UNAVAILABLE "<store> is not configured".
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddPaymentsService(builder.Configuration);
builder.Services.AddConfiguredPaymentStore(builder.Configuration);
builder.Services.AddMessagePipelines();

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapAppStoreNotifications();
await app.RunAsync();
