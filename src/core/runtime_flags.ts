/**
 * V8 flags the gateway runs with (the start task, the compiled binary, the systemd unit):
 * - `--max-semi-space-size=1`: a 1 MiB young generation per isolate. The main thread and every shard worker
 *   are isolates, and the default young generation grows to tens of MiB each under load. Measured with
 *   scripts/bench_pipeline.ts: peak RSS 255 → 186 MiB at 10 sessions with the same turns/s.
 * - `--heap-growing-percent=20`: the old generation may grow by 20 % between full collections (V8 picks up
 *   to 4× by itself). With a small young generation, everything an in-flight run holds for its provider's
 *   latency is promoted, and with 1,000 runs in flight the old generation of each isolate grew by V8's own
 *   factor long before collecting: scripts/bench_http.ts p1000@2000 peak RSS 483 → 342 MiB, CPU per turn
 *   unchanged (8.5 → 8.8 ms at load average 10; `--optimize-for-size` reached 293 MiB but cost 20 % CPU).
 */
export const GATEWAY_V8_FLAGS = "--v8-flags=--max-semi-space-size=1,--heap-growing-percent=20";

/**
 * Every flag the gateway runs with besides its permissions: the V8 flags above, and
 * `--unstable-no-legacy-abort`: Deno.serve otherwise aborts every request's `signal` when its response has
 * been sent, building an AbortSignal reason (a DOMException, with its stack) per request for nothing, and
 * prints a warning about it once. With it, the signal aborts only when the client goes away, which is all
 * the gateway listens for (`/v1` stops a run whose client disconnected).
 */
export const GATEWAY_FLAGS: readonly string[] = ["--unstable-no-legacy-abort", GATEWAY_V8_FLAGS];
