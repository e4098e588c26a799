using MetaServer.Hosting;
using MetaServer.Payments;
using MetaServer.Payments.AppStore;
using MetaServer.Payments.Clawbacks;
using MetaServer.Payments.GooglePlay;
using MetaServer.Payments.Stores;
using MetaServer.Pipelines;

// Payments service on its own: consumes the payments.* queues, answers redemptions on the frontends' reply queues,
// sends grants and clawbacks to the accounts service, takes App Store Server Notifications over HTTP and polls Google
// Play voided purchases. A store's verifier is registered only when its section is configured
// (MetaServer:Payments:AppStore, MetaServer:Payments:GooglePlay, see docs/payments-stores.md); redeeming for a store
// that is not configured answers UNAVAILABLE "<store> is not configured".
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddPaymentsService(builder.Configuration);
if (builder.Configuration.IsAppStoreConfigured())
{
    builder.Services.AddAppStoreVerification(builder.Configuration);
}

if (builder.Configuration.IsGooglePlayConfigured())
{
    builder.Services.AddGooglePlayVerification(builder.Configuration);
}

builder.Services.AddConfiguredPaymentStore(builder.Configuration);
builder.Services.AddMessagePipelines();

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapAppStoreNotifications();
await app.RunAsync();
