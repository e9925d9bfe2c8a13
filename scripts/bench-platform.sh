#!/usr/bin/env bash
# Measures the platform numbers of docs/benchmarks.md on this machine: a database with the demo province plus
# `demo --scale 1` (10,000 more units, ~100,000 more people), cold start on that existing database, idle RSS, and
# the scoped people list under load through the HTTP API. Usage: bash scripts/bench-platform.sh [workdir]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
export GOVOPS_ADMIN_PASSWORD='Bench#Pass-2026' GOVOPS_LOG_LEVEL=warn
go build -o "$work/govops" ./cmd/govops
go build -o "$work/govops-load" ./cmd/govops-load
db="$work/bench.db"
if [ ! -f "$db" ]; then
  echo "== building the benchmark database"
  /usr/bin/time -f "demo + scale: %e s, max RSS %M KB" "$work/govops" demo --scale 1 --db "$db" >/dev/null
fi

echo "== cold start on the existing database (5 runs: process start until the URL is printed)"
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$work/govops" serve --db "$db" --addr 127.0.0.1:0 --jt808-addr= >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  until grep -q "已启动" "$work/serve.out" 2>/dev/null; do sleep 0.005; done
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms ($(grep -o '用时 [0-9]* ms' "$work/serve.out"))"
  kill -TERM $pid; wait $pid || true
done

echo "== idle RSS and people-list latency"
"$work/govops" serve --db "$db" --addr 127.0.0.1:18999 --jt808-addr= >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
until grep -q "已启动" "$work/serve.out" 2>/dev/null; do sleep 0.01; done
sleep 2
echo "idle RSS after start: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
# A subtree user over the 10,000-unit load-test tree.
json=(-H 'Content-Type: application/json')
login() { curl -s "${json[@]}" -X POST localhost:18999/api/v1/auth/login -d "{\"username\":\"$1\",\"password\":\"$2\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
root=$(login admin "$GOVOPS_ADMIN_PASSWORD")
rootorg=$(curl -s -H "Authorization: Bearer $root" "localhost:18999/api/v1/orgs?q=%E5%8E%8B%E6%B5%8B%E6%95%B0%E6%8D%AE%201" | sed 's/.*"items":\[{"id":\([0-9]*\).*/\1/')
cityorg=$(curl -s -H "Authorization: Bearer $root" "localhost:18999/api/v1/orgs?q=%E5%8E%8B%E6%B5%8B%E5%B8%82%201-3" | sed 's/.*"items":\[{"id":\([0-9]*\).*/\1/')
for u in bench10k:$rootorg bench1k:$cityorg; do
  name=${u%%:*}; org=${u##*:}
  # A new account must change the password an administrator gave it before anything else (403 otherwise).
  if curl -s -o /dev/null -w '%{http_code}' "${json[@]}" -H "Authorization: Bearer $root" -X POST localhost:18999/api/v1/users \
    -d "{\"username\":\"$name\",\"password\":\"Bench#Init-2026\",\"roles\":[\"supervisor\"],\"data_scope\":\"subtree\",\"scope_org_id\":$org}" | grep -q 201; then
    curl -s -o /dev/null "${json[@]}" -H "Authorization: Bearer $(login "$name" 'Bench#Init-2026')" -X POST localhost:18999/api/v1/me/password \
      -d '{"current_password":"Bench#Init-2026","new_password":"Bench#User-2026"}'
  fi
done
for user in bench10k bench1k admin; do
  pw='Bench#User-2026'; [ "$user" = admin ] && pw=$GOVOPS_ADMIN_PASSWORD
  echo "-- $user"
  # A deep page by cursor: the one after row 9,800 (the next of page 490), where page= would skip 9,800 rows.
  after=$(curl -s -H "Authorization: Bearer $(login "$user" "$pw")" "localhost:18999/api/v1/people?page_size=20&page=490" | sed -n 's/.*"next":"\([^"]*\)".*/\1/p')
  "$work/govops-load" -url http://127.0.0.1:18999 -user "$user" -password "$pw" -c 2 -d 15s \
    -path '/api/v1/people?page_size=20&q=%E7%8E%8B' -path '/api/v1/people?page_size=20&q=%E5%BC%A0%E4%BC%9F' \
    -path '/api/v1/people?page_size=20' -path '/api/v1/people?page_size=20&page=50' -path "/api/v1/people?page_size=20&after=$after"
done
echo "RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
sleep 5
echo "RSS 5 s later: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill -TERM $pid; wait $pid || true
