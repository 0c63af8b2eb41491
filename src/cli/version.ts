import { VERSION } from "../core/version.ts";
import type { Command } from "./io.ts";

export const versionCommand: Command = {
  name: "version",
  summary: "Print the Talon version",
  usage: "Usage: talon version\n\nPrints the Talon version and the Deno runtime it runs on.",
  run(_argv, io) {
    io.out(`talon ${VERSION} (deno ${Deno.version.deno}, v8 ${Deno.version.v8}, ${Deno.build.target})`);
    return Promise.resolve(0);
  },
};
