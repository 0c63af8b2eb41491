#!/usr/bin/env bash
# Smoke test of a built talon binary, as a user would first run it: starts `talon gateway` in a temporary
# TALON_HOME, waits for /readyz, runs one echo-provider turn that calls the sandboxed `read` tool, fetches
# the Control UI (page and bundle), and stops it with SIGTERM. Loopback only; exits non-zero on any failure.
#
#   scripts/smoke_binary.sh ./dist/talon-x86_64-unknown-linux-gnu
set -euo pipefail

bin="${1:?usage: scripts/smoke_binary.sh <talon binary>}"
[ -x "$bin" ] || { echo "smoke: $bin is not an executable file" >&2; exit 2; }
home="$(mktemp -d "${TMPDIR:-/tmp}/talon-smoke.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$home"
}
trap cleanup EXIT
fail() {
  echo "smoke: FAILED: $*" >&2
  echo "--- gateway output ---" >&2
  cat "$home/gateway.log" >&2 || true
  exit 1
}

token="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
marker="smoke-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
mkdir -p "$home/workspace/main"
printf '%s\n' "$marker" >"$home/workspace/main/smoke.txt"
cat >"$home/talon.json" <<JSON
{
  "gateway": { "port": 0 },
  "agents": { "defaults": { "model": { "primary": "echo/echo" } } }
}
JSON

echo "smoke: $("$bin" version 2>&1 | head -n 1), $(($(wc -c <"$bin") / 1048576)) MiB"
TALON_HOME="$home" TALON_TOKEN="$token" NO_COLOR=1 "$bin" gateway >"$home/gateway.log" 2>&1 &
pid=$!

url=""
for _ in $(seq 1 600); do
  url="$(sed -nE 's/.*listening on (http:\/\/[0-9.:]+).*/\1/p' "$home/gateway.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the gateway exited before listening"
  sleep 0.1
done
[ -n "$url" ] || fail "the gateway did not listen within 60 s"
echo "smoke: listening on $url"

ready=""
for _ in $(seq 1 300); do
  if curl -fsS --max-time 5 "$url/readyz" 2>/dev/null | grep -q '"ok":true'; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || fail "/readyz did not report ready within 30 s"
echo "smoke: /readyz ok"

body='{"model":"talon/main","messages":[{"role":"user","content":"/tool read {\"path\":\"smoke.txt\"}"}]}'
reply="$(curl -fsS --max-time 60 -X POST "$url/v1/chat/completions" \
  -H "authorization: Bearer $token" -H "content-type: application/json" --data "$body")" ||
  fail "the agent turn failed"
case "$reply" in
  *"$marker"*) echo "smoke: agent turn with a sandboxed read tool call ok" ;;
  *) fail "the read tool did not return the file: $reply" ;;
esac

page="$(curl -fsS --max-time 10 "$url/")" || fail "the Control UI page did not load"
case "$page" in *"<title>Talon</title>"*) ;; *) fail "the Control UI page is not Talon's" ;; esac
bundle="$(printf '%s' "$page" | sed -nE 's/.*<script type="module" src="([^"]+)".*/\1/p' | head -n 1)"
[ -n "$bundle" ] || fail "the Control UI page names no script"
size="$(curl -fsS --max-time 10 "$url$bundle" | wc -c)" || fail "the Control UI bundle $bundle did not load"
[ "$size" -gt 1000 ] || fail "the Control UI bundle $bundle is only $size bytes"
echo "smoke: Control UI ok ($bundle, $size bytes)"

kill -TERM "$pid"
for _ in $(seq 1 200); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then fail "the gateway did not stop within 20 s of SIGTERM"; fi
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] || fail "the gateway exited $code after SIGTERM"
echo "smoke: stopped cleanly on SIGTERM"
echo "smoke: passed"
