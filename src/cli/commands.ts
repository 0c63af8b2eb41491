import type { Command } from "./io.ts";

/** A command in the table: name and summary up front, the module loaded only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/**
 * Every CLI command. Each lives in its own file and adds one line here; modules are imported lazily so
 * `talon gateway` never loads the code of the other commands.
 */
export const commands: CommandEntry[] = [
  {
    name: "gateway",
    summary: "Run the gateway in the foreground",
    load: async () => (await import("./gateway.ts")).gatewayCommand,
  },
  {
    name: "status",
    summary: "Show the running gateway's status",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "health",
    summary: "Check the running gateway's health",
    load: async () => (await import("./status.ts")).healthCommand,
  },
  {
    name: "config",
    summary: "Get, set, validate talon.json or print its JSON Schema",
    load: async () => (await import("./config.ts")).configCommand,
  },
  {
    name: "install-cli",
    summary: "Put a talon command on PATH for this source checkout (deno task talon:install)",
    load: async () => (await import("./install_cli.ts")).installCliCommand,
  },
  {
    name: "version",
    summary: "Print the Talon version",
    load: async () => (await import("./version.ts")).versionCommand,
  },
  {
    name: "import",
    summary: "Import an OpenClaw setup (config, agents, channels, pairings, cron, workspaces)",
    load: async () => (await import("./import.ts")).importCommand,
  },
  {
    name: "security",
    summary: "Security audit of the config and state dir",
    load: async () => (await import("./security.ts")).securityCommand,
  },
  {
    name: "service",
    summary: "Install and control the systemd service",
    load: async () => (await import("./service.ts")).serviceCommand,
  },
  {
    name: "skills",
    summary: "List, check and install skills (SKILL.md folders)",
    load: async () => (await import("./skills.ts")).skillsCommand,
  },
  {
    name: "mcp",
    summary: "List, inspect and call MCP tool servers",
    load: async () => (await import("./mcp.ts")).mcpCommand,
  },
  {
    name: "doctor",
    summary: "Check that Talon can run here (--fix applies safe fixes)",
    load: async () => (await import("./doctor.ts")).doctorCommand,
  },
  {
    name: "outbox",
    summary: "List, retry or drop reply chunks waiting to be sent",
    load: async () => (await import("./outbox.ts")).outboxCommand,
  },
  {
    name: "pairing",
    summary: "List, approve or deny people asking to talk to the bot",
    load: async () => (await import("./pairing.ts")).pairingCommand,
  },
  {
    name: "channels",
    summary: "Show channel accounts: connected, last event, last error",
    load: async () => (await import("./channels.ts")).channelsCommand,
  },
  {
    name: "onboard",
    summary: "Set up a provider, channels, config, token and service",
    load: async () => (await import("./onboard.ts")).onboardCommand,
  },
  {
    name: "update",
    summary: "Check for a newer Talon release (only when you run it)",
    load: async () => (await import("./update.ts")).updateCommand,
  },
  {
    name: "message",
    summary: "Send a message as the bot to a chat (through the outbox)",
    load: async () => (await import("./message.ts")).messageCommand,
  },
  {
    name: "approvals",
    summary: "List, approve or deny commands agents are waiting to run",
    load: async () => (await import("./approvals.ts")).approvalsCommand,
  },
  {
    name: "dashboard",
    summary: "Open the Control UI with a one-time sign-in link",
    load: async () => (await import("./dashboard.ts")).dashboardCommand,
  },
  {
    name: "token",
    summary: "Create, list or revoke extra gateway tokens (scoped credentials)",
    load: async () => (await import("./token.ts")).tokenCommand,
  },
  {
    name: "sessions",
    summary: "List sessions and show their transcripts",
    load: async () => (await import("./sessions.ts")).sessionsCommand,
  },
  {
    name: "memory",
    summary: "Memory index: status, index [--force], search",
    load: async () => (await import("./memory.ts")).memoryCommand,
  },
  {
    name: "heartbeat",
    summary: "Heartbeat: now, on, off, status",
    load: async () => (await import("./heartbeat.ts")).heartbeatCommand,
  },
];
