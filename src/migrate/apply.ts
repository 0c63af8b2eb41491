/** Writes an import plan: refuses to overwrite existing files unless forced; talon.json goes through writeConfigFile. */
import { writeConfigFile } from "../config/write.ts";
import { ImportError, type ImportPlan } from "./types.ts";

/** Files of the plan that already exist. */
export async function existingFiles(plan: ImportPlan): Promise<string[]> {
  const out: string[] = [];
  for (const f of plan.files) {
    try {
      await Deno.lstat(f.path);
      out.push(f.path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return out;
}

/**
 * Applies the plan. Without `force`, any existing destination file stops the import before anything is
 * written. talon.json is written atomically (the previous one kept as talon.json.bak); the rest 0600 in
 * 0700 directories.
 */
export async function applyImportPlan(plan: ImportPlan, opts: { force: boolean }): Promise<void> {
  const existing = await existingFiles(plan);
  if (existing.length && !opts.force) {
    throw new ImportError(
      `Not importing: ${existing.length} file(s) already exist (use --force to overwrite):\n  ${
        existing.join("\n  ")
      }`,
    );
  }
  await Deno.mkdir(plan.home, { recursive: true, mode: 0o700 });
  for (const f of plan.files) {
    if (f.kind === "config") {
      const env: Record<string, string> = {};
      for (const name of plan.envRefs) env[name] = "imported-placeholder-value-0123456789";
      await writeConfigFile(f.path, plan.config, env);
      continue;
    }
    await Deno.mkdir(f.path.slice(0, f.path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    if (typeof f.content === "string") await Deno.writeTextFile(f.path, f.content, { mode: 0o600 });
    else await Deno.writeFile(f.path, f.content, { mode: 0o600 });
    await Deno.chmod(f.path, 0o600);
  }
}
