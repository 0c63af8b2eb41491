/** `talon security audit [--json]` */
import { parseArgs } from "node:util";
import { type Command, EXIT } from "./io.ts";
import { loadConfig } from "../config/load.ts";
import { auditSecurity } from "../ops/security_audit.ts";
import { formatFindings, sortFindings } from "../ops/findings.ts";
import { createConfiner } from "../security/confine.ts";

const USAGE = `Usage: talon security audit [--json] [--config <file>]

Looks for risky settings: non-loopback bind, open policies with exec/file tools, wildcard allowlists,
approvals off, exec without OS confinement (bubblewrap), short tokens, readable state files,
test-only switches, plaintext secrets in talon.json.
Exits 1 when there is a high-severity finding.`;

export const securityCommand: Command = {
  name: "security",
  summary: "Security audit of the config and state dir (security audit [--json])",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: "boolean", default: false }, config: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1 || positionals[0] !== "audit") {
      io.err(`talon security: expected "audit"\n\n${USAGE}`);
      return EXIT.usage;
    }
    const loaded = await loadConfig({ env: io.env, configFile: values.config });
    const confinement = await createConfiner({
      mode: loaded.config.tools.exec.confine,
      os: Deno.build.os,
      path: io.env.PATH,
    }).status();
    const findings = sortFindings(await auditSecurity({ ...loaded, confinement }));
    if (values.json) io.out(JSON.stringify({ findings }, null, 2));
    else io.out(formatFindings(findings));
    return findings.some((f) => f.severity === "high") ? EXIT.failure : EXIT.ok;
  },
};
