// stdio MCP servers run inside the same OS confinement as exec (bubblewrap), when it is here.
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { createMcpHub } from "../../src/mcp/hub.ts";
import { createConfiner } from "../../src/security/confine.ts";
import { stdioServer } from "./mcp_fixture.ts";

const confiner = createConfiner({ mode: "auto", os: Deno.build.os, path: Deno.env.get("PATH") });
const bwrap = (await confiner.status()).kind === "bwrap";

Deno.test({
  name:
    "MCP stdio server in bubblewrap: no view of $HOME, no secrets in its environment, reported as confined",
  ignore: !bwrap,
  async fn() {
    const home = Deno.env.get("HOME") ?? "/root";
    const secretDir = await Deno.makeTempDir({ dir: home, prefix: ".talon-mcp-secret-" });
    await Deno.writeTextFile(`${secretDir}/key.txt`, "top secret");
    const config = validateConfig({
      mcp: {
        servers: {
          fx: stdioServer(),
        },
      },
    }, { env: {}, file: "talon.json" });
    const hub = createMcpHub({
      config,
      clock: systemClock,
      logger: silentLogger,
      transport: { confiner, path: Deno.env.get("PATH"), home },
    });
    try {
      assert.equal((await hub.call("mcp__fx__echo", { text: "inside" })).content, "echo: inside");
      assert.equal(hub.status()[0]!.confined, true);
      const read = await hub.call("mcp__fx__read_file", { path: `${secretDir}/key.txt` });
      assert.equal(read.isError, true);
      assert.doesNotMatch(read.content, /top secret/);
      const env = (await hub.call("mcp__fx__env", {})).content.split(",");
      for (const name of env) {
        assert.match(
          name,
          /^(DENO_DIR|NO_COLOR|HOME|LOGNAME|PATH|PWD|SHELL|TERM|USER)$/,
          `unexpected variable ${name}`,
        );
      }
    } finally {
      await hub.stop();
      await Deno.remove(secretDir, { recursive: true });
    }
  },
});
