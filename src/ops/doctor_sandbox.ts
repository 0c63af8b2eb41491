/** `talon doctor`: what bounds tool calls (the outer bound of flags and config, the process's own permissions). */
import type { CheckContext, DoctorResult } from "./doctor.ts";
import { boundReport } from "../tools/sandbox/outer_bound.ts";

/** Reports the configured outer bound of every tool call; warns when tools are bounded by nothing. */
export function checkToolBound({ loaded }: CheckContext): Promise<DoctorResult[]> {
  if (!loaded) return Promise.resolve([]);
  const report = boundReport(loaded.config.sandbox.outerBound);
  if (report.outerBound) {
    return Promise.resolve([{
      id: "tools.bound",
      status: "ok",
      what:
        `Tool calls are bounded by sandbox.outerBound: ${report.described} (talon gateway --allow-* flags ` +
        "narrow it further)",
    }]);
  }
  return Promise.resolve([{
    id: "tools.bound",
    status: "ok",
    what:
      "No outer bound for tool calls in the config: each call gets what its tool policy grants, within the " +
      "process's own permissions",
    fix:
      "To narrow every tool call, start the gateway with Deno-style flags (talon gateway --allow-run=git " +
      "--allow-net=api.example.com …) or set sandbox.outerBound",
  }]);
}
