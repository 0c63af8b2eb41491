import assert from "node:assert/strict";
import { buildOpenClawImportPlan } from "../../src/migrate/plan.ts";
import { applyImportPlan } from "../../src/migrate/apply.ts";

const PARTIAL = new URL("../fixtures/openclaw/partial", import.meta.url).pathname;

Deno.test("talon import openclaw copies the user's skills (managed and workspace) unchanged", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "talon-import-skills-" });
  try {
    const from = `${tmp}/openclaw`;
    await Deno.mkdir(from);
    await Deno.copyFile(`${PARTIAL}/openclaw.json`, `${from}/openclaw.json`);
    await Deno.mkdir(`${from}/skills/gh/scripts`, { recursive: true });
    const skill =
      '---\nname: gh\ndescription: GitHub\nmetadata: {"openclaw":{"requires":{"bins":["gh"]}}}\n---\nUse gh.\n';
    await Deno.writeTextFile(`${from}/skills/gh/SKILL.md`, skill);
    await Deno.writeTextFile(`${from}/skills/gh/scripts/pr.sh`, "gh pr list\n");
    await Deno.symlink("/etc/passwd", `${from}/skills/gh/passwd`);
    await Deno.mkdir(`${from}/skills/broken`);
    await Deno.writeTextFile(`${from}/skills/broken/SKILL.md`, "no frontmatter");
    await Deno.mkdir(`${from}/workspace/skills/notes`, { recursive: true });
    await Deno.writeTextFile(
      `${from}/workspace/skills/notes/SKILL.md`,
      "---\nname: notes\ndescription: N\n---\n",
    );
    const home = `${tmp}/talon`;
    const plan = await buildOpenClawImportPlan({ from, home, env: {}, userHome: tmp });
    const paths = plan.files.map((f) => f.path.slice(home.length + 1)).sort();
    assert.ok(paths.includes("skills/gh/SKILL.md"), paths.join());
    assert.ok(paths.includes("skills/gh/scripts/pr.sh"));
    assert.ok(paths.includes("workspace/main/skills/notes/SKILL.md"), paths.join());
    assert.ok(!paths.some((p) => p.includes("broken") || p.endsWith("passwd")));
    const reasons = plan.unmapped.map((u) => `${u.path}: ${u.reason}`).join("\n");
    assert.match(reasons, /skills\/broken: not copied: SKILL\.md must start with YAML frontmatter/);
    assert.match(reasons, /skills\/gh\/passwd: a symlink in a skill is not copied/);
    assert.doesNotMatch(reasons, /workspace\/skills: not one of the workspace files/);
    await applyImportPlan(plan, { force: false });
    assert.equal(await Deno.readTextFile(`${home}/skills/gh/SKILL.md`), skill);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
