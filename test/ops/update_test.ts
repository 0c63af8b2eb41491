import assert from "node:assert/strict";
import { createUpdateCommand } from "../../src/cli/update.ts";
import { EXIT } from "../../src/cli/io.ts";
import {
  assetName,
  compareVersions,
  fetchLatestRelease,
  planUpdate,
  UpdateCheckError,
} from "../../src/ops/update.ts";
import { captureIo } from "./onboard_helpers.ts";

/** A fake GitHub releases API on 127.0.0.1:0. */
function fakeReleases(answer: () => Response) {
  const hits: Array<{ path: string; ua: string | null }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push({ path: new URL(req.url).pathname, ua: req.headers.get("user-agent") });
    return answer();
  });
  const url = `http://127.0.0.1:${server.addr.port}/repos/talon-gateway/talon/releases/latest`;
  return { url, hits, close: () => server.shutdown() };
}

function release(tag: string) {
  const asset = (name: string) => ({
    name,
    browser_download_url: `https://example.invalid/download/${tag}/${name}`,
  });
  return {
    tag_name: tag,
    html_url: `https://example.invalid/releases/${tag}`,
    draft: false,
    prerelease: false,
    assets: [
      asset("talon-x86_64-unknown-linux-gnu"),
      asset("talon-x86_64-unknown-linux-gnu.sha256"),
      asset("talon-x86_64-pc-windows-msvc.exe"),
      asset("talon-x86_64-pc-windows-msvc.exe.sha256"),
    ],
  };
}

const env = { HOME: "/nonexistent" };

Deno.test("compareVersions: semver order with pre-releases", () => {
  assert.equal(compareVersions("0.2.0", "0.1.9"), 1);
  assert.equal(compareVersions("v1.0.0", "1.0.0"), 0);
  assert.equal(compareVersions("1.0.0-rc.1", "1.0.0"), -1);
  assert.equal(compareVersions("1.0.0-rc.2", "1.0.0-rc.10"), -1);
  assert.equal(compareVersions("1.0.0-alpha", "1.0.0-alpha.1"), -1);
  assert.equal(compareVersions("0.10.0", "0.9.0"), 1);
  assert.throws(() => compareVersions("latest", "1.0.0"), RangeError);
});

Deno.test("talon update: a newer release prints the install command for this target", async () => {
  const feed = fakeReleases(() => Response.json(release("v0.3.0")));
  try {
    const cmd = createUpdateCommand({
      current: "0.1.0",
      target: "x86_64-unknown-linux-gnu",
      binaryPath: "/home/u/.local/bin/talon",
    });
    const c = captureIo(env);
    assert.equal(await cmd.run(["--url", feed.url], c.io), EXIT.ok, c.text());
    const out = c.out.join("\n");
    assert.match(out, /Talon 0\.3\.0 is available \(this is 0\.1\.0\)/);
    assert.match(out, /TALON_VERSION=v0\.3\.0 TALON_INSTALL_DIR=\/home\/u\/\.local\/bin sh/);
    assert.match(out, /Release notes: https:\/\/example\.invalid\/releases\/v0\.3\.0/);
    assert.equal(feed.hits.length, 1);
    assert.equal(feed.hits[0]!.ua, "talon/0.1.0");

    const check = captureIo(env);
    assert.equal(await cmd.run(["--check", "--url", feed.url], check.io), EXIT.failure);
    assert.deepEqual(check.out, ["Talon 0.3.0 is available (this is 0.1.0)."]);
  } finally {
    await feed.close();
  }
});

Deno.test("talon update: up to date, --json, and the URL from TALON_UPDATE_URL", async () => {
  const feed = fakeReleases(() => Response.json(release("v0.1.0")));
  try {
    const cmd = createUpdateCommand({ current: "0.1.0", target: "x86_64-unknown-linux-gnu" });
    const c = captureIo({ ...env, TALON_UPDATE_URL: feed.url });
    assert.equal(await cmd.run(["--check"], c.io), EXIT.ok);
    assert.deepEqual(c.out, ["Talon 0.1.0 is up to date (latest release: 0.1.0)."]);
    const j = captureIo({ ...env, TALON_UPDATE_URL: feed.url });
    assert.equal(await cmd.run(["--json"], j.io), EXIT.ok);
    assert.deepEqual(JSON.parse(j.out[0]!), { current: "0.1.0", latest: "0.1.0", newer: false, steps: [] });
    assert.equal(feed.hits.length, 2);
  } finally {
    await feed.close();
  }
});

Deno.test("talon update: a broken feed is exit 69 with the reason; a bad URL is a usage error", async () => {
  const answers = [
    () => new Response("rate limited", { status: 403 }),
    () => new Response("<html>", { headers: { "content-type": "text/html" } }),
    () => Response.json({ message: "Not Found" }),
    () => Response.json({ tag_name: "nightly" }),
  ];
  const reasons = [/HTTP 403/, /did not answer JSON/, /no tag_name/, /"nightly" is not a version/];
  for (let i = 0; i < answers.length; i++) {
    const feed = fakeReleases(answers[i]!);
    try {
      const c = captureIo(env);
      assert.equal(
        await createUpdateCommand({ current: "0.1.0" }).run(["--url", feed.url], c.io),
        EXIT.unavailable,
      );
      assert.match(c.err.join("\n"), reasons[i]!);
    } finally {
      await feed.close();
    }
  }
  const c = captureIo(env);
  assert.equal(await createUpdateCommand().run(["--url", "file:///etc/passwd"], c.io), EXIT.usage);
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  await assert.rejects(fetchLatestRelease({ url: `http://127.0.0.1:${port}/x` }), UpdateCheckError);
});

Deno.test("planUpdate: Windows gets the .exe and its checksum; source installs get git; missing builds say so", () => {
  const r = {
    tag: "v0.3.0",
    version: "0.3.0",
    pageUrl: "https://example.invalid/r",
    assets: release("v0.3.0").assets.map((a) => ({ name: a.name, url: a.browser_download_url })),
  };
  assert.equal(assetName("x86_64-pc-windows-msvc"), "talon-x86_64-pc-windows-msvc.exe");
  const win = planUpdate({
    current: "0.1.0",
    release: r,
    target: "x86_64-pc-windows-msvc",
    binaryPath: "C:/t/talon.exe",
  });
  assert.equal(win.asset?.name, "talon-x86_64-pc-windows-msvc.exe");
  assert.match(win.steps.join("\n"), /Get-FileHash/);
  const src = planUpdate({ current: "0.1.0", release: r, target: "x86_64-unknown-linux-gnu" });
  assert.match(src.steps[0]!, /from source: git pull/);
  const mac = planUpdate({
    current: "0.1.0",
    release: r,
    target: "aarch64-apple-darwin",
    binaryPath: "/usr/local/bin/talon",
  });
  assert.match(mac.steps[0]!, /no build for aarch64-apple-darwin/);
  const older = planUpdate({
    current: "0.4.0",
    release: r,
    target: "x86_64-unknown-linux-gnu",
    binaryPath: "/b/talon",
  });
  assert.equal(older.newer, false);
  assert.deepEqual(older.steps, []);
});
