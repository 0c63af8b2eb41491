import { coreMigrations } from "./core_tables.ts";
import { agentMigrations } from "./agent_tables.ts";
import { channelMigrations } from "./channel_tables.ts";
import type { Migration } from "./migrate.ts";
import { laneMigrations } from "./lane_tables.ts";
import { toolMigrations } from "./tool_tables.ts";
import { memoryMigrations } from "./memory_tables.ts";

/** Every table family's migrations. Each family adds one line here. */
export const allMigrations: readonly Migration[] = [
  ...coreMigrations,
  ...laneMigrations,
  ...agentMigrations,
  ...channelMigrations,
  ...toolMigrations,
  ...memoryMigrations,
];
