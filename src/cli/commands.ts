import type { Command } from "./io.ts";

/** Every CLI command. Each command lives in its own file and adds one line here. */
export const commands: Command[] = [];
