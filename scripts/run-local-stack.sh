#!/usr/bin/env bash
# Runs the production topology on this machine, every service in its own process:
#   stand-ins on 127.0.0.1 free ports: fauxqs (SQS), dynalite (DynamoDB), redis-server
#   2 frontends (MetaServer.Frontend.Host), the accounts backend (MetaServer.Accounts.Host), the matches backend
#   (MetaServer.Matches.Host, offline FlexMatch engine), the friends backend (MetaServer.Friends.Host) and simulated
#   game servers (MetaServer.GameServer.Sample.Host)
# and stops everything it started when it exits (Ctrl-C, error, or the end of --smoke).
#
# Usage: scripts/run-local-stack.sh [--smoke]
#   --smoke   run the CLI smoke check against both frontends, then a duel between two players (one per frontend):
#             queue, accept, play on a simulated game server, results; then stop (exit code = smoke result)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=false
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

scripts/install-test-deps.sh

run_dir=$(mktemp -d /tmp/metaserver-stack.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped everything; logs were in $run_dir"
  exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# wait_for <what> <seconds> <command...>: retries the command until it succeeds (bounded).
wait_for() {
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: $what did not come up within ${limit}s; see $run_dir" >&2
      exit 1
    fi
    sleep 0.2
  done
}

echo "building the service hosts (Release)"
dotnet build -c Release --nologo -v q src/Frontend/MetaServer.Frontend.Host >/dev/null
dotnet build -c Release --nologo -v q src/Backends/Accounts/MetaServer.Accounts.Host >/dev/null
dotnet build -c Release --nologo -v q src/Backends/Matches/MetaServer.Matches.Host >/dev/null
dotnet build -c Release --nologo -v q src/Backends/Friends/MetaServer.Friends.Host >/dev/null
dotnet build -c Release --nologo -v q src/GameServer/MetaServer.GameServer.Sample.Host >/dev/null
dotnet build -c Release --nologo -v q src/Tools/MetaServer.Cli >/dev/null

sqs_port=$(free_port)
(cd tools/standins && exec node fauxqs-server.mjs "$sqs_port") >"$run_dir/fauxqs.log" 2>&1 &
pids+=($!)
dynamo_port=$(free_port)
(cd tools/standins && exec node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$dynamo_port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0) >"$run_dir/dynalite.log" 2>&1 &
pids+=($!)
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$run_dir/redis.log" 2>&1 &
pids+=($!)
wait_for "fauxqs" 30 grep -q "listening" "$run_dir/fauxqs.log"
wait_for "dynalite" 30 grep -q "listening" "$run_dir/dynalite.log"
wait_for "redis" 30 grep -q "Ready to accept connections" "$run_dir/redis.log"

# Shared by every service process. Stand-ins accept any credentials.
export ASPNETCORE_ENVIRONMENT=Development
export MetaServer__DeploymentVersion=local
export MetaServer__Transport=Sqs
export MetaServer__Sqs__ServiceUrl="http://127.0.0.1:$sqs_port"
export MetaServer__Sqs__Region=us-east-1
export MetaServer__Sqs__AccessKey=local
export MetaServer__Sqs__SecretKey=local
export MetaServer__Storage__Kind=Redis
export MetaServer__Redis__Configuration="127.0.0.1:$redis_port"

signing_key=$(head -c 32 /dev/urandom | base64)

accounts_port=$(free_port)
MetaServer__Accounts__Store=DynamoDb \
MetaServer__Accounts__DynamoDb__ServiceUrl="http://127.0.0.1:$dynamo_port" \
MetaServer__Accounts__DynamoDb__Region=us-east-1 \
MetaServer__Accounts__DynamoDb__TableName=local-accounts \
MetaServer__Accounts__DynamoDb__CreateTableIfMissing=true \
MetaServer__Accounts__DynamoDb__AccessKeyId=local \
MetaServer__Accounts__DynamoDb__SecretAccessKey=local \
  dotnet src/Backends/Accounts/MetaServer.Accounts.Host/bin/Release/net10.0/MetaServer.Accounts.Host.dll \
  --urls "http://127.0.0.1:$accounts_port" >"$run_dir/accounts.log" 2>&1 &
pids+=($!)
wait_for "accounts backend" 60 curl -sf "http://127.0.0.1:$accounts_port/healthz"

# Matches: the offline FlexMatch engine on the sample rule sets, the match store on DynamoDB, accounts read-only.
matches_port=$(free_port)
# `env`, because configuration keys with dashes (game modes, configuration names) are not shell variable names.
env \
  "MetaServer__Accounts__Store=DynamoDb" \
  "MetaServer__Accounts__DynamoDb__ServiceUrl=http://127.0.0.1:$dynamo_port" \
  "MetaServer__Accounts__DynamoDb__Region=us-east-1" \
  "MetaServer__Accounts__DynamoDb__TableName=local-accounts" \
  "MetaServer__Accounts__DynamoDb__AccessKeyId=local" \
  "MetaServer__Accounts__DynamoDb__SecretAccessKey=local" \
  "MetaServer__Matches__Store__Kind=DynamoDb" \
  "MetaServer__Matches__DynamoDb__ServiceUrl=http://127.0.0.1:$dynamo_port" \
  "MetaServer__Matches__DynamoDb__Region=us-east-1" \
  "MetaServer__Matches__DynamoDb__TableName=local-matches" \
  "MetaServer__Matches__DynamoDb__CreateTableIfMissing=true" \
  "MetaServer__Matches__DynamoDb__AccessKeyId=local" \
  "MetaServer__Matches__DynamoDb__SecretAccessKey=local" \
  "MetaServer__Friends__Store__Kind=DynamoDb" \
  "MetaServer__Friends__DynamoDb__ServiceUrl=http://127.0.0.1:$dynamo_port" \
  "MetaServer__Friends__DynamoDb__Region=us-east-1" \
  "MetaServer__Friends__DynamoDb__TableName=local-friends" \
  "MetaServer__Friends__DynamoDb__CreateTableIfMissing=true" \
  "MetaServer__Friends__DynamoDb__AccessKeyId=local" \
  "MetaServer__Friends__DynamoDb__SecretAccessKey=local" \
  "MetaServer__Matchmaking__Offline__TickInterval=00:00:00.250" \
  "MetaServer__Matchmaking__Configurations__ranked-1v1__RuleSetPath=$root/config/matchmaking/ranked-1v1.json" \
  "MetaServer__Matchmaking__Configurations__ranked-1v1__AcceptanceRequired=true" \
  "MetaServer__Matchmaking__Configurations__ranked-1v1__AcceptanceTimeoutSeconds=20" \
  "MetaServer__Matchmaking__Configurations__casual-5v5__RuleSetPath=$root/config/matchmaking/casual-5v5-bots.json" \
  "MetaServer__Matches__GameModes__duel__Configuration=ranked-1v1" \
  "MetaServer__Matches__GameModes__duel__Maps__0=rooftop" \
  "MetaServer__Matches__GameModes__team-deathmatch__Configuration=casual-5v5" \
  "MetaServer__Matches__GameModes__team-deathmatch__Maps__0=harbor" \
  dotnet src/Backends/Matches/MetaServer.Matches.Host/bin/Release/net10.0/MetaServer.Matches.Host.dll \
  --urls "http://127.0.0.1:$matches_port" >"$run_dir/matches.log" 2>&1 &
pids+=($!)
wait_for "matches backend" 60 curl -sf "http://127.0.0.1:$matches_port/healthz"

# Friends: the friend store on DynamoDB, accounts read-only.
friends_port=$(free_port)
MetaServer__Accounts__Store=DynamoDb \
MetaServer__Accounts__DynamoDb__ServiceUrl="http://127.0.0.1:$dynamo_port" \
MetaServer__Accounts__DynamoDb__Region=us-east-1 \
MetaServer__Accounts__DynamoDb__TableName=local-accounts \
MetaServer__Accounts__DynamoDb__AccessKeyId=local \
MetaServer__Accounts__DynamoDb__SecretAccessKey=local \
MetaServer__Friends__Store__Kind=DynamoDb \
MetaServer__Friends__DynamoDb__ServiceUrl="http://127.0.0.1:$dynamo_port" \
MetaServer__Friends__DynamoDb__Region=us-east-1 \
MetaServer__Friends__DynamoDb__TableName=local-friends \
MetaServer__Friends__DynamoDb__CreateTableIfMissing=true \
MetaServer__Friends__DynamoDb__AccessKeyId=local \
MetaServer__Friends__DynamoDb__SecretAccessKey=local \
  dotnet src/Backends/Friends/MetaServer.Friends.Host/bin/Release/net10.0/MetaServer.Friends.Host.dll \
  --urls "http://127.0.0.1:$friends_port" >"$run_dir/friends.log" 2>&1 &
pids+=($!)
wait_for "friends backend" 60 curl -sf "http://127.0.0.1:$friends_port/healthz"

gameservers_port=$(free_port)
MetaServer__GameServers__Simulated__Slots=2 \
MetaServer__GameServers__Simulated__MatchDuration=00:00:02 \
  dotnet src/GameServer/MetaServer.GameServer.Sample.Host/bin/Release/net10.0/MetaServer.GameServer.Sample.Host.dll \
  --urls "http://127.0.0.1:$gameservers_port" >"$run_dir/gameservers.log" 2>&1 &
pids+=($!)
wait_for "game servers" 60 curl -sf "http://127.0.0.1:$gameservers_port/healthz"

frontend_urls=()
for n in 1 2; do
  port=$(free_port)
  MetaServer__Frontend__InstanceId="fe-local-$n" \
  MetaServer__Frontend__Tokens__SigningKey="$signing_key" \
    dotnet src/Frontend/MetaServer.Frontend.Host/bin/Release/net10.0/MetaServer.Frontend.Host.dll \
    --urls "http://127.0.0.1:$port" >"$run_dir/frontend-$n.log" 2>&1 &
  pids+=($!)
  wait_for "frontend $n" 60 curl -sf "http://127.0.0.1:$port/readyz"
  frontend_urls+=("ws://127.0.0.1:$port/ws")
done

echo
echo "MetaServer local stack is running (logs: $run_dir)"
echo "  SQS (fauxqs)        http://127.0.0.1:$sqs_port"
echo "  DynamoDB (dynalite) http://127.0.0.1:$dynamo_port"
echo "  Redis               127.0.0.1:$redis_port"
echo "  accounts backend    http://127.0.0.1:$accounts_port/healthz"
echo "  matches backend     http://127.0.0.1:$matches_port/healthz"
echo "  friends backend     http://127.0.0.1:$friends_port/healthz"
echo "  game servers        http://127.0.0.1:$gameservers_port/healthz"
for url in "${frontend_urls[@]}"; do echo "  frontend            $url"; done

cli=(dotnet src/Tools/MetaServer.Cli/bin/Release/net10.0/metaserver.dll)
if $smoke; then
  for url in "${frontend_urls[@]}"; do
    "${cli[@]}" smoke --url "$url"
  done
  # A duel across the two frontends: both players queue, accept, the match is played and reported.
  for n in 1 2; do
    "${cli[@]}" login --device "smoke-duel-$n-$RANDOM" --url "${frontend_urls[$((n - 1))]}" --token-file "$run_dir/duel-$n.token" >/dev/null
  done
  duel=()
  for n in 1 2; do
    "${cli[@]}" queue duel --wait --accept --url "${frontend_urls[$((n - 1))]}" --token-file "$run_dir/duel-$n.token" >"$run_dir/duel-$n.out" 2>&1 &
    duel+=($!)
  done
  for n in 1 2; do
    if ! wait "${duel[$((n - 1))]}"; then
      echo "FAIL: duel player $n (see $run_dir/duel-$n.out)" >&2
      cat "$run_dir/duel-$n.out" >&2
      exit 1
    fi
  done
  echo "PASS: duel queued, accepted and placed on both frontends"
  # The simulated game server plays the match and reports it; the results put both players on the leaderboard.
  deadline=$((SECONDS + 60))
  until "${cli[@]}" leaderboard --url "${frontend_urls[0]}" --token-file "$run_dir/duel-1.token" 2>/dev/null | grep -q "<- you"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "FAIL: the duel's result did not reach the leaderboard within 60s (see $run_dir)" >&2
      exit 1
    fi
    sleep 1
  done
  "${cli[@]}" leaderboard --url "${frontend_urls[0]}" --token-file "$run_dir/duel-1.token"
  echo "PASS: duel played on a simulated game server, results processed, players ranked"
  exit 0
fi

echo "  try: dotnet ${cli[*]:1} login --device my-phone --url ${frontend_urls[0]}"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
echo "error: a process of the stack exited on its own; stopping the rest (logs: $run_dir)" >&2
exit 1
