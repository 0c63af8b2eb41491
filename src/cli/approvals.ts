/** `talon approvals list|approve|deny`: answer the exec approvals agents are waiting for. */
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { formatDuration, gatewayClientOptions, withGateway } from "./shared.ts";
import { describeRequest, type StoredBinding } from "../tools/approval_binding.ts";

const USAGE = `Usage: talon approvals <list|approve|deny> [id] [options]

  talon approvals list                  pending exec approvals (id, command, cwd, session, expiry)
  talon approvals approve <id>          run this exact command once
  talon approvals approve <id> --always run it now and allow the same command from now on
                                        (refused for calls with stdin or network access)
  talon approvals deny <id>             refuse it

Options: --json  machine-readable output; --config <file>  --url ws://host:port/ws  --timeout <ms>
Approving or denying needs the admin scope. Exit codes: 0 ok, 1 no such pending approval or refused,
2 usage error, 69 gateway unreachable.`;

/** A pending approval as `approvals.list` returns it. */
interface PendingApproval {
  id: string;
  tool: string;
  argv: string[];
  cwd: string;
  runId?: string;
  sessionKey?: string;
  createdAt: number;
  expiresAt: number;
  binding?: StoredBinding;
}

/** Quotes an argv for display the way a shell would need it. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
}

function renderList(list: PendingApproval[], now: number): string {
  if (list.length === 0) return "No pending approvals.";
  return list.map((a) =>
    [
      `${a.id}  ${a.tool}: ${shellJoin(a.argv)}`,
      `    in ${a.cwd}${a.sessionKey ? `  session ${a.sessionKey}` : ""}${a.runId ? `  run ${a.runId}` : ""}`,
      ...describeRequest({ ...a.binding, argv: a.argv, cwd: a.cwd })
        .filter((l) => !/^(run|in): /.test(l))
        .map((l) => `    ${l}`),
      `    expires in ${formatDuration(Math.max(0, a.expiresAt - now))}`,
    ].join("\n")
  ).join("\n");
}

/** Runs `talon approvals …`. */
export async function runApprovals(argv: string[], io: CliIo, now = Date.now): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...gatewayClientOptions, always: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, id, ...extra] = positionals;
  const usage = (msg: string) => {
    io.err(`talon approvals${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (!sub) return usage("expected a subcommand");
  if (!["list", "approve", "deny"].includes(sub)) return usage(`unknown subcommand "${sub}"`);
  if (sub === "list" && id !== undefined) return usage(`unexpected argument "${id}"`);
  if (sub !== "list" && !id) return usage("expected an approval id");
  if (extra.length) return usage(`unexpected argument "${extra[0]}"`);
  if (values.always && sub !== "approve") return usage("--always only goes with approve");

  return await withGateway(io, `approvals ${sub}`, values, async (client) => {
    if (sub === "list") {
      const { approvals } = await client.request<{ approvals: PendingApproval[] }>("approvals.list", {});
      io.out(values.json ? JSON.stringify(approvals, null, 2) : renderList(approvals, now()));
      return EXIT.ok;
    }
    const decision = sub === "deny" ? "deny" : values.always ? "allow-always" : "allow-once";
    const { approval } = await client.request<{ approval: PendingApproval & { status: string } }>(
      "approval.resolve",
      { id, decision },
    );
    const what = `${approval.tool}: ${shellJoin(approval.argv)}`;
    io.out(
      values.json
        ? JSON.stringify(approval, null, 2)
        : decision === "deny"
        ? `Denied ${approval.id} (${what}).`
        : decision === "allow-always"
        ? `Approved ${approval.id} (${what}); the same command is allowed from now on.`
        : `Approved ${approval.id} once (${what}).`,
    );
    return EXIT.ok;
  });
}

export const approvalsCommand: Command = {
  name: "approvals",
  summary: "List, approve or deny commands agents are waiting to run",
  usage: USAGE,
  run: (argv, io) => runApprovals(argv, io),
};
