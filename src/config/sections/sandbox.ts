import { z } from "zod";

const absolutePath = z.string().refine((p) => p.startsWith("/"), {
  message: "expected an absolute path (as Deno resolves --allow-read/--allow-write paths)",
});

/** One kind of the outer bound: `true` allows all of it, a list only those entries. */
const kind = <T extends z.ZodType<string>>(entry: T) => z.union([z.literal(true), z.array(entry)]).optional();

export const sandboxSchema = z.strictObject({
  outerBound: z.strictObject({
    read: kind(absolutePath).describe("Paths tools may read (with everything under them)."),
    write: kind(absolutePath).describe("Paths tools may write."),
    net: kind(z.string().min(1)).describe("Hosts (host or host:port) tools may reach."),
    run: kind(z.string().min(1)).describe("Programs (names or paths) tools may run."),
    env: kind(z.string().min(1)).describe("Environment variables tools may read (NAME or PREFIX_*)."),
  }).optional().describe(
    "The outer bound of every tool call, with the meaning of Deno's --allow-* flags: once set, a kind that " +
      "is not listed is denied to tools. `talon gateway --allow-*` flags narrow it further.",
  ),
}).prefault({});

export type SandboxConfig = z.infer<typeof sandboxSchema>;
