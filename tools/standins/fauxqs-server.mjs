// Starts the fauxqs SQS stand-in on 127.0.0.1 only (its own CLI binds every interface).
// Usage: node fauxqs-server.mjs <port> [--exit-with-stdin]
//   port 0 picks a free one; prints "listening <port>" when ready.
//   --exit-with-stdin: also exit when standard input closes (test fixtures use it so a dead test run
//   never leaves the stand-in behind).
import { buildApp } from "fauxqs";

const port = Number.parseInt(process.argv[2] ?? "0", 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port '${process.argv[2]}'`);
  process.exit(2);
}

const app = buildApp({ logger: false });
await app.listen({ port, host: "127.0.0.1" });
console.log(`listening ${app.server.address().port}`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (process.argv.includes("--exit-with-stdin")) {
  process.stdin.on("end", stop);
  process.stdin.resume();
}
