/**
 * A server's tool list, made safe to offer: names the providers accept, a JSON Schema that is an object
 * schema and within `maxSchemaBytes`, descriptions cut to `maxDescriptionChars`. What is cut or refused is
 * reported (`talon mcp tools`, `mcp.tools`, doctor), never silent.
 */
import { type McpTool, type McpToolNote, qualifiedName } from "./types.ts";

export interface ToolListLimits {
  maxSchemaBytes: number;
  maxDescriptionChars: number;
}

/** What a server answered to tools/list (only the fields we use). */
export interface RawTool {
  name?: unknown;
  description?: unknown;
  inputSchema?: unknown;
}

const PROVIDER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function checkToolList(
  server: string,
  raw: readonly RawTool[],
  limits: ToolListLimits,
  filter: { allow: readonly string[]; deny: readonly string[] },
): { tools: McpTool[]; notes: McpToolNote[] } {
  const tools: McpTool[] = [];
  const notes: McpToolNote[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    const tool = typeof t.name === "string" ? t.name : "";
    if (!tool) {
      notes.push({ tool: "(unnamed)", note: "refused: a tool without a name" });
      continue;
    }
    if (filter.deny.includes(tool) || (filter.allow.length && !filter.allow.includes(tool))) continue;
    const name = qualifiedName(server, tool);
    if (!PROVIDER_NAME.test(name)) {
      notes.push({ tool, note: `refused: ${name} is not a valid tool name (a-z, 0-9, _ and -, at most 64)` });
      continue;
    }
    if (seen.has(name)) {
      notes.push({ tool, note: "refused: listed twice" });
      continue;
    }
    const schema = t.inputSchema;
    if (
      !schema || typeof schema !== "object" || Array.isArray(schema) ||
      (schema as { type?: unknown }).type !== "object"
    ) {
      notes.push({ tool, note: 'refused: its inputSchema is not a JSON Schema with type "object"' });
      continue;
    }
    const bytes = new TextEncoder().encode(JSON.stringify(schema)).length;
    if (bytes > limits.maxSchemaBytes) {
      notes.push({
        tool,
        note: `refused: its schema is ${bytes} bytes (mcp.maxSchemaBytes ${limits.maxSchemaBytes})`,
      });
      continue;
    }
    let description = typeof t.description === "string" ? t.description.trim() : "";
    if (description.length > limits.maxDescriptionChars) {
      notes.push({
        tool,
        note: `description cut from ${description.length} to ${limits.maxDescriptionChars} characters`,
      });
      description = `${description.slice(0, limits.maxDescriptionChars - 1)}…`;
    }
    seen.add(name);
    tools.push({
      server,
      tool,
      name,
      description: description || `Tool ${tool} of MCP server ${server}.`,
      inputSchema: schema as Record<string, unknown>,
    });
  }
  return { tools, notes };
}

/**
 * Light checks of arguments against the server's schema before calling: an object, every `required`
 * property present, and declared primitive types respected. The server remains the judge of the rest.
 */
export function checkArguments(schema: Record<string, unknown>, args: unknown): string | undefined {
  if (!args || typeof args !== "object" || Array.isArray(args)) return "arguments must be a JSON object";
  const a = args as Record<string, unknown>;
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [];
  const missing = required.filter((r) => !(r in a));
  if (missing.length) {
    return `missing required argument${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`;
  }
  const props =
    (schema.properties && typeof schema.properties === "object" ? schema.properties : {}) as Record<
      string,
      { type?: unknown }
    >;
  for (const [k, v] of Object.entries(a)) {
    const type = props[k]?.type;
    if (typeof type !== "string") continue;
    const actual = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
    const ok = type === actual || (type === "integer" && Number.isInteger(v)) ||
      (type === "number" && actual === "number");
    if (!ok) return `argument ${k} must be ${type}, not ${actual}`;
  }
  return undefined;
}
