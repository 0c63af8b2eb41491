import type { Command } from "./io.ts";
import { gatewayCommand } from "./gateway.ts";
import { healthCommand, statusCommand } from "./status.ts";
import { configCommand } from "./config.ts";
import { versionCommand } from "./version.ts";
import { importCommand } from "./import.ts";
import { securityCommand } from "./security.ts";
import { serviceCommand } from "./service.ts";

/** Every CLI command. Each command lives in its own file and adds one line here. */
export const commands: Command[] = [
  gatewayCommand,
  statusCommand,
  healthCommand,
  configCommand,
  versionCommand,
  importCommand,
  securityCommand,
  serviceCommand,
];
