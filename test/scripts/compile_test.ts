import assert from "node:assert/strict";
import { checkDenort, compileArgs, verifyBinary } from "../../scripts/compile.ts";
import { embedList, listModules, scanModule } from "../../scripts/embed_list.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("deno task compile: every module loaded by URL at run time is embedded", async () => {
  const include = embedList(ROOT);
  const args = compileArgs({ output: "dist/talon", include });
  const embedded = new Set(args.filter((_, i) => args[i - 1] === "--include"));
  // An independent look at the source: every Worker entry and every file/folder named by a URL relative to
  // its module must be in the compile arguments (or be main.ts, the entry).
  const targets: string[] = [];
  for (const file of listModules(ROOT, ["src"])) {
    const text = await Deno.readTextFile(`${ROOT}/${file}`);
    for (const m of text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)) {
      const abs = new URL(m[1]!, `file://${ROOT}/${file}`).pathname.slice(ROOT.length + 1).replace(/\/$/, "");
      if (abs !== "main.ts") targets.push(abs);
    }
  }
  assert.ok(targets.includes("src/tools/sandbox/worker.ts"), "the scan sees the sandbox worker");
  assert.ok(targets.includes("src/tools/sandbox/process_entry.ts"), "and the sandbox child's entry");
  assert.ok(targets.includes("web"), "and the Control UI");
  for (const t of targets) assert.ok(embedded.has(t), `${t} is loaded at run time but not --include'd`);
  for (const i of embedded) await Deno.stat(`${ROOT}/${i}`);
  assert.deepEqual(args.slice(-3), ["--output", "dist/talon", "main.ts"]);
  for (const flag of ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi"]) {
    assert.ok(args.includes(flag), flag);
  }
  assert.ok(args.includes("--unstable-worker-options"));
});

Deno.test("embed scan: loads it cannot resolve fail the build unless listed", async () => {
  const scan = scanModule(
    "src/x/a.ts",
    [
      'const w = new Worker(new URL("./w_entry.ts", import.meta.url));',
      '// new URL("./commented.ts", import.meta.url) is not a load',
      "const d = import.meta.dirname;",
      "await import(name);",
      'await import("./fine.ts");',
    ].join("\n"),
  );
  assert.deepEqual(scan.loads, [{ from: "src/x/a.ts", target: "src/x/w_entry.ts" }]);
  assert.deepEqual(scan.unresolved.map((u) => u.code.slice(0, 15)), ["import.meta.dir", "import(n"]);
  const root = await Deno.makeTempDir({ prefix: "talon-embed-" });
  try {
    await Deno.mkdir(`${root}/src`);
    await Deno.writeTextFile(`${root}/main.ts`, 'import "./src/a.ts";\n');
    await Deno.writeTextFile(`${root}/src/a.ts`, 'export const u = new URL("./gone.ts", import.meta.url);\n');
    assert.throws(() => embedList(root), /src\/a.ts loads src\/gone.ts, which does not exist/);
    await Deno.writeTextFile(`${root}/src/a.ts`, "export const m = await import(Deno.args[0]!);\n");
    assert.throws(() => embedList(root), /deno compile cannot follow; list it in DYNAMIC_LOADS/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task compile refuses a DENORT_BIN that is missing, a full deno, or another version", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon-denort-" });
  try {
    assert.match(await checkDenort(`${dir}/missing`) ?? "", /does not exist.*same Deno version/);
    assert.match(await checkDenort(Deno.execPath()) ?? "", /is a full deno binary.*not denort/);
    const other = `${dir}/denort-other`;
    await Deno.writeTextFile(other, "#!/bin/sh\necho 'runtime 1.0.0'\n");
    await Deno.chmod(other, 0o755);
    assert.match(await checkDenort(other, "2.9.6") ?? "", /is not a denort of Deno 2\.9\.6/);
    const same = `${dir}/denort-same`;
    await Deno.writeTextFile(same, "#!/bin/sh\n# built as 2.9.6\necho 'internal runtime' >&2; exit 1\n");
    await Deno.chmod(same, 0o755);
    assert.equal(await checkDenort(same, "2.9.6"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a compiled result that is not talon (e.g. plain deno) is reported, not shipped", async () => {
  const problem = await verifyBinary(Deno.execPath());
  assert.match(problem ?? "", /is not a working talon/);
});

Deno.test("deno task compile runs scripts/compile.ts", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks;
  assert.match(tasks.compile, /scripts\/compile\.ts/);
});
