/** Findings of `talon security audit` and checks of `talon doctor`: what, why it matters, how to fix. */

export type Severity = "high" | "medium" | "low";

/** One security audit finding. */
export interface Finding {
  /** Stable id, e.g. `gateway.bind.public`. */
  id: string;
  severity: Severity;
  what: string;
  why: string;
  fix: string;
}

const ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Sorts findings high → low, then by id. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.id.localeCompare(b.id));
}

/** Human-readable report of findings. */
export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return "No findings: nothing in the config or state dir looks risky.";
  const counts = (["high", "medium", "low"] as const).map((s) =>
    `${findings.filter((f) => f.severity === s).length} ${s}`
  );
  const lines = [`${findings.length} finding(s): ${counts.join(", ")}`, ""];
  for (const f of sortFindings(findings)) {
    lines.push(`[${f.severity.toUpperCase()}] ${f.id}: ${f.what}`, `  why: ${f.why}`, `  fix: ${f.fix}`, "");
  }
  return lines.join("\n").trimEnd();
}

/** File mode bits (permissions only) of a path; undefined when it does not exist or the OS has none. */
export async function fileMode(path: string): Promise<number | undefined> {
  try {
    const st = await Deno.stat(path);
    return st.mode === null ? undefined : st.mode & 0o777;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** `0640` style octal text. */
export function octal(mode: number): string {
  return "0" + mode.toString(8).padStart(3, "0");
}
