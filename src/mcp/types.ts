/** MCP tool servers as Talon sees them. */

/** One tool of a server, ready to offer to the model. */
export interface McpTool {
  server: string;
  /** The server's own tool name. */
  tool: string;
  /** `mcp__<server>__<tool>`: what the model sees. */
  name: string;
  description: string;
  /** The server's JSON Schema for the arguments (checked and size-capped). */
  inputSchema: Record<string, unknown>;
}

/** What was cut or refused while taking a server's tool list. */
export interface McpToolNote {
  tool: string;
  note: string;
}

export type McpServerState = "idle" | "starting" | "ready" | "failed" | "stopped" | "disabled";

export interface McpServerStatus {
  id: string;
  transport: "stdio" | "http";
  state: McpServerState;
  tools: number;
  /** Confined by the OS sandbox (stdio servers), when it is available. */
  confined?: boolean;
  lastError?: string;
  restarts: number;
  /** When the next start may happen after a failure (epoch ms). */
  retryAt?: number;
  notes: McpToolNote[];
}

/** The outcome of one call, as text for the model plus what was cut. */
export interface McpCallResult {
  content: string;
  isError: boolean;
  /** Images returned by the tool (saved under the media folder), for vision-capable models and UIs. */
  images: { path: string; mime: string; bytes: number }[];
}

/** The qualified name of a server's tool. */
export function qualifiedName(server: string, tool: string): string {
  return `mcp__${server}__${tool}`;
}

/** `mcp__<server>__<tool>` → its parts, or undefined. */
export function splitQualified(name: string): { server: string; tool: string } | undefined {
  const m = /^mcp__([a-z0-9][a-z0-9-]{0,31})__(.+)$/.exec(name);
  return m ? { server: m[1]!, tool: m[2]! } : undefined;
}
