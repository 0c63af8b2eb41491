import assert from "node:assert/strict";
import {
  describeBound,
  droppedByBound,
  intersectBounds,
  narrowToBound,
  normalizePath,
  parseAllowFlags,
} from "../../src/tools/sandbox/outer_bound.ts";
import { createSandbox } from "../../src/tools/sandbox/sandbox.ts";
import { ToolError } from "../../src/tools/errors.ts";

Deno.test("outer bound: flags parse with Deno's syntax; other arguments pass through in order", () => {
  const p = parseAllowFlags(
    ["--port", "1", "--allow-run=git,ls", "--allow-read=ws,/etc", "--allow-net", "--bind", "127.0.0.1"],
    "/home/me",
  );
  assert.deepEqual(p.rest, ["--port", "1", "--bind", "127.0.0.1"]);
  assert.deepEqual(p.bound, { run: ["git", "ls"], read: ["/home/me/ws", "/etc"], net: true });
  assert.equal(parseAllowFlags(["--port", "1"], "/").bound, undefined, "no flag, no bound");
  assert.equal(parseAllowFlags(["-A", "--allow-run=git"], "/").bound, undefined, "--allow-all lifts it");
  assert.deepEqual(parseAllowFlags(["--allow-env=A", "--allow-env=B_*"], "/").bound, { env: ["A", "B_*"] });
});

Deno.test("outer bound: unsupported permission flags are refused with the supported list", () => {
  assert.throws(() => parseAllowFlags(["--allow-ffi"], "/"), /--allow-ffi is not supported.*--allow-run/);
  assert.throws(() => parseAllowFlags(["--deny-net=x"], "/"), /--deny-net is not supported/);
});

Deno.test("outer bound: paths are normalised and cannot climb out with ..", () => {
  assert.equal(normalizePath("a/../../etc", "/ws"), "/etc");
  assert.equal(normalizePath("/ws/./x/"), "/ws/x");
  const narrowed = narrowToBound({ read: ["/ws/../etc/passwd", "/ws/notes.md"] }, { read: ["/ws"] });
  assert.deepEqual(narrowed.read, ["/ws/notes.md"]);
});

Deno.test("outer bound: a set bound denies the kinds it does not list, as deno run does", () => {
  const p = narrowToBound(
    { read: ["/ws"], write: ["/ws"], net: ["example.com"], run: ["curl", "git"], env: ["HOME"] },
    { run: ["git"] },
  );
  assert.deepEqual(p, { read: [], write: [], net: [], run: ["git"], env: [] });
  assert.deepEqual(narrowToBound({ run: ["curl"] }, undefined), { run: ["curl"] }, "no bound: unchanged");
});

Deno.test("outer bound: each entry narrows to the smaller of a matching pair", () => {
  const p = narrowToBound(
    { read: ["/", "/srv/a"], net: ["api.example.com", "other.com:80"], env: ["AWS_KEY", "HOME"] },
    { read: ["/ws", "/srv"], net: ["api.example.com:443", "other.com:443"], env: ["AWS_*"] },
  );
  assert.deepEqual(p.read, ["/ws", "/srv", "/srv/a"]);
  assert.deepEqual(p.net, ["api.example.com:443"]);
  assert.deepEqual(p.env, ["AWS_KEY"]);
  assert.ok(
    !narrowToBound({ read: ["/wsx"] }, { read: ["/ws"] }).read?.length,
    "a sibling prefix is outside",
  );
});

Deno.test("outer bound: config and flags both apply (intersection)", () => {
  const both = intersectBounds({ run: ["git", "ls"], read: true, net: ["a.com"] }, {
    run: ["git", "curl"],
    read: ["/ws"],
  });
  assert.deepEqual(both, { read: ["/ws"], run: ["git"] });
  assert.deepEqual(intersectBounds(undefined, { run: ["git"] }), { run: ["git"] });
  assert.equal(intersectBounds(undefined, undefined), undefined);
  assert.match(describeBound(both), /--allow-read=\/ws .*write: denied.*--allow-run=git/);
  assert.ok(droppedByBound("run", "curl", both));
  assert.ok(!droppedByBound("run", "git", both));
});

Deno.test("outer bound: the sandbox refuses a call the bound drops and names the bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon-bound-" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "secret-a");
    const bounded = createSandbox({ bound: { read: [`${dir}/allowed`] } });
    const err = await bounded.run("readFile", { path: `${dir}/a.txt`, root: dir, maxBytes: 100 }, {
      read: [dir],
    }).catch(
      (e) => e,
    );
    assert.ok(err instanceof ToolError, String(err));
    assert.equal(err.kind, "NotCapable");
    assert.match(err.message, /outer bound for tools \(--allow-read=.*allowed/);
    const open = createSandbox({});
    const text = await open.run<{ text: string }>("readFile", {
      path: `${dir}/a.txt`,
      root: dir,
      maxBytes: 100,
    }, {
      read: [dir],
    });
    assert.equal(text.text, "secret-a", "without a bound the same call works");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run bound: a bare name matches the program it names on PATH, never a same-named file; bwrap is added", async () => {
  const { narrowToBound, withLauncher } = await import("../../src/tools/sandbox/outer_bound.ts");
  const git = Deno.realPathSync("/usr/bin/git");
  assert.deepEqual(narrowToBound({ run: [git] }, { run: ["git"] }).run, [git]);
  assert.deepEqual(narrowToBound({ run: ["/tmp/x/git"] }, { run: ["git"] }).run, []);
  assert.deepEqual(withLauncher({ run: ["git"] }, "/usr/bin/bwrap")?.run, ["git", "/usr/bin/bwrap"]);
  assert.deepEqual(withLauncher({ run: true }, "/usr/bin/bwrap")?.run, true);
  assert.deepEqual(
    withLauncher({ read: true }, "/usr/bin/bwrap"),
    { read: true },
    "no run at all stays none",
  );
  assert.equal(withLauncher(undefined, "/usr/bin/bwrap"), undefined);
});
