/**
 * Turns the config JSON Schema (draft 2020-12, as exported by zod) into form fields, and validates a
 * field's input the way the gateway will — so an error shows next to its field before anything is sent.
 */

export type JsonSchema = Record<string, unknown>;

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "json";

export interface Field {
  /** Dotted path, e.g. `gateway.port`. */
  path: string;
  label: string;
  kind: FieldKind;
  description?: string;
  options?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  default?: unknown;
  /** The schema of a `json` field (arrays, maps, unions), validated as a whole. */
  schema: JsonSchema;
}

export interface Section {
  path: string;
  title: string;
  description?: string;
  fields: Field[];
}

const SECRET = /(token|apikey|api_key|secret|password)$/i;

/** True for fields that hold credentials (shown as password inputs). */
export function isSecretPath(path: string): boolean {
  return SECRET.test(path.split(".").at(-1) ?? "");
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith("#/")) {
    let cur: unknown = root;
    for (const part of ref.slice(2).split("/")) cur = (cur as Record<string, unknown>)?.[part];
    if (cur && typeof cur === "object") return { ...(cur as JsonSchema), ...schema, $ref: undefined };
  }
  return schema;
}

function fieldOf(path: string, s: JsonSchema): Field {
  const base = {
    path,
    label: path.split(".").at(-1)!,
    description: typeof s.description === "string" ? s.description : undefined,
    default: s.default,
    schema: s,
  };
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) {
    return { ...base, kind: "enum", options: s.enum as string[] };
  }
  const num = (k: string) => (typeof s[k] === "number" ? s[k] as number : undefined);
  switch (s.type) {
    case "string":
      return {
        ...base,
        kind: "string",
        minLength: num("minLength"),
        pattern: typeof s.pattern === "string" ? s.pattern : undefined,
      };
    case "integer":
    case "number":
      return { ...base, kind: s.type, minimum: num("minimum"), maximum: num("maximum") };
    case "boolean":
      return { ...base, kind: "boolean" };
    default:
      return { ...base, kind: "json" };
  }
}

/**
 * Sections (one per object that has scalar fields) with their fields, depth-first. Objects nest up to
 * `maxDepth`; arrays, maps and unions become one JSON field.
 */
export function sectionsFromSchema(root: JsonSchema, maxDepth = 4): Section[] {
  const out: Section[] = [];
  const walk = (s: JsonSchema, path: string, depth: number) => {
    const props = s.properties as Record<string, JsonSchema> | undefined;
    if (!props) return;
    const section: Section = {
      path,
      title: path || "(top level)",
      description: typeof s.description === "string" ? s.description : undefined,
      fields: [],
    };
    const nested: [JsonSchema, string][] = [];
    for (const [name, raw] of Object.entries(props)) {
      if (name === "$schema") continue;
      const child = resolve(raw, root);
      const p = path ? `${path}.${name}` : name;
      if (child.type === "object" && child.properties && depth < maxDepth) nested.push([child, p]);
      else section.fields.push(fieldOf(p, child));
    }
    if (section.fields.length) out.push(section);
    for (const [child, p] of nested) walk(child, p, depth + 1);
  };
  walk(resolve(root, root), "", 0);
  return out;
}

/** Parses what the user typed into the value the config holds; `undefined` means "unset". */
export function parseFieldInput(field: Field, text: string): { value?: unknown; error?: string } {
  if (field.kind === "boolean") return { value: text === "true" };
  if (text.trim() === "") return { value: undefined };
  if (field.kind === "integer" || field.kind === "number") {
    if (/^\$\{[A-Z0-9_]+\}$/.test(text.trim())) return { value: text.trim() };
    const n = Number(text);
    if (!Number.isFinite(n)) return { error: `expected a number, got "${text}"` };
    return { value: n };
  }
  if (field.kind === "json") {
    try {
      return { value: JSON.parse(text) };
    } catch (err) {
      return { error: `not valid JSON: ${(err as Error).message}` };
    }
  }
  return { value: text };
}

/** Validates a value against its field; returns an error message or undefined. */
export function validateField(field: Field, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && /^\$\{[A-Z0-9_]+\}$/.test(value)) return undefined; // env reference
  switch (field.kind) {
    case "integer":
    case "number": {
      if (typeof value !== "number") return `expected a number`;
      if (field.kind === "integer" && !Number.isInteger(value)) return `expected a whole number`;
      if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
      return undefined;
    }
    case "string": {
      if (typeof value !== "string") return `expected text`;
      if (field.minLength !== undefined && value.length < field.minLength) {
        return `must be at least ${field.minLength} characters`;
      }
      if (field.pattern && !new RegExp(field.pattern, "u").test(value)) {
        return `does not match the expected format ${field.pattern}`;
      }
      return undefined;
    }
    case "enum":
      return field.options!.includes(String(value))
        ? undefined
        : `must be one of ${field.options!.join(", ")}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : "expected true or false";
    case "json":
      return jsonTypeError(field.schema, value);
  }
}

function jsonTypeError(s: JsonSchema, value: unknown): string | undefined {
  if (s.type === "array" && !Array.isArray(value)) return "expected a JSON array";
  if (s.type === "object" && (value === null || typeof value !== "object" || Array.isArray(value))) {
    return "expected a JSON object";
  }
  return undefined;
}

/** Reads a dotted path from an object. */
export function getAt(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A copy of `obj` with the dotted path set (or removed when `value` is undefined; empty parents pruned). */
export function setAt(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(".");
  const out = structuredClone(obj);
  const chain: Record<string, unknown>[] = [out];
  let cur = out;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
    chain.push(cur);
  }
  const last = parts.at(-1)!;
  if (value === undefined) {
    delete cur[last];
    for (let i = chain.length - 1; i > 0; i--) {
      if (Object.keys(chain[i]!).length) break;
      delete chain[i - 1]![parts[i - 1]!];
    }
  } else cur[last] = value;
  return out;
}

/** Validates every field present in `raw`; returns path → message. */
export function validateAll(
  sections: readonly Section[],
  raw: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const s of sections) {
    for (const f of s.fields) {
      const e = validateField(f, getAt(raw, f.path));
      if (e) errors[f.path] = e;
    }
  }
  return errors;
}

/**
 * Assigns server-side issues (`{path, message}`) to the nearest field: the exact path, else the closest
 * field that is a prefix of it (errors inside a JSON field). The rest are general errors.
 */
export function assignIssues(
  sections: readonly Section[],
  issues: readonly { path: string; message: string }[],
): { byField: Record<string, string>; general: string[] } {
  const paths = sections.flatMap((s) => s.fields.map((f) => f.path));
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const i of issues) {
    const target = paths.filter((p) => i.path === p || i.path.startsWith(p + "."))
      .sort((a, b) => b.length - a.length)[0];
    if (target) byField[target] = byField[target] ? `${byField[target]}; ${i.message}` : i.message;
    else general.push(i.path ? `${i.path}: ${i.message}` : i.message);
  }
  return { byField, general };
}
