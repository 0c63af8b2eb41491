/** Gateway counters rendered as Prometheus text at GET /metrics. */
export interface GatewayMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  frameIn(): void;
  frameOut(): void;
  request(method: string, status: string): void;
  http(status: number): void;
  /** Adds a source of extra lines (e.g. lanes gauges) rendered after the gateway's own. */
  addSource(render: () => string): void;
  render(): string;
  readonly connections: number;
}

export function createGatewayMetrics(
  opts: { version: string; startedAt: number; now?: () => number },
): GatewayMetrics {
  const now = opts.now ?? Date.now;
  let connections = 0;
  let connectionsTotal = 0;
  let framesIn = 0;
  let framesOut = 0;
  const requests = new Map<string, number>();
  const http = new Map<number, number>();
  const sources: (() => string)[] = [];
  const esc = (v: string) => v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

  return {
    get connections() {
      return connections;
    },
    connectionOpened() {
      connections++;
      connectionsTotal++;
    },
    connectionClosed() {
      connections = Math.max(0, connections - 1);
    },
    frameIn: () => void framesIn++,
    frameOut: () => void framesOut++,
    request(method, status) {
      const key = `${method}\u0000${status}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    },
    http(status) {
      http.set(status, (http.get(status) ?? 0) + 1);
    },
    addSource(render) {
      sources.push(render);
    },
    render() {
      const lines = [
        "# HELP talon_info Talon build information.",
        "# TYPE talon_info gauge",
        `talon_info{version="${esc(opts.version)}"} 1`,
        "# HELP talon_uptime_seconds Seconds since the gateway started.",
        "# TYPE talon_uptime_seconds gauge",
        `talon_uptime_seconds ${((now() - opts.startedAt) / 1000).toFixed(3)}`,
        "# HELP talon_ws_connections Open WebSocket connections.",
        "# TYPE talon_ws_connections gauge",
        `talon_ws_connections ${connections}`,
        "# HELP talon_ws_connections_total WebSocket connections accepted.",
        "# TYPE talon_ws_connections_total counter",
        `talon_ws_connections_total ${connectionsTotal}`,
        "# HELP talon_ws_frames_total WebSocket frames by direction.",
        "# TYPE talon_ws_frames_total counter",
        `talon_ws_frames_total{direction="in"} ${framesIn}`,
        `talon_ws_frames_total{direction="out"} ${framesOut}`,
        "# HELP talon_ws_requests_total WebSocket requests by method and status.",
        "# TYPE talon_ws_requests_total counter",
        ...[...requests].map(([key, n]) => {
          const [method, status] = key.split("\u0000");
          return `talon_ws_requests_total{method="${esc(method!)}",status="${esc(status!)}"} ${n}`;
        }),
        "# HELP talon_http_requests_total HTTP requests by status code.",
        "# TYPE talon_http_requests_total counter",
        ...[...http].map(([status, n]) => `talon_http_requests_total{status="${status}"} ${n}`),
      ];
      for (const source of sources) {
        try {
          const extra = source().trimEnd();
          if (extra) lines.push(extra);
        } catch { /* a broken source must not break /metrics */ }
      }
      return lines.join("\n") + "\n";
    },
  };
}
