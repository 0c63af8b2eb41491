import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { createSkillCatalog } from "../../src/skills/catalog.ts";
import { skillPromptList } from "../../src/skills/prompt_list.ts";
import { createSkillsPort } from "../../src/skills/port.ts";
import { buildSystemPrompt, DEFAULT_WORKSPACE_FILES, WORKSPACE_FILES } from "../../src/agent/prompt.ts";

export async function writeSkill(root: string, name: string, front: string, body = "Do it well.\n") {
  await Deno.mkdir(`${root}/${name}`, { recursive: true });
  await Deno.writeTextFile(`${root}/${name}/SKILL.md`, `---\nname: ${name}\n${front}\n---\n${body}`);
}

async function fixture() {
  const home = await Deno.makeTempDir({ prefix: "talon-skills-" });
  const workspace = `${home}/workspace/main`;
  await Deno.mkdir(workspace, { recursive: true });
  return { home, workspace, [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }) };
}

const cfg = (raw: Record<string, unknown> = {}) =>
  validateConfig(raw, { env: { T: "x" }, file: "talon.json" });

Deno.test("skills: precedence workspace > ~/.talon/skills > extraDirs; the shadowed copy is reported", async () => {
  await using f = await fixture();
  await writeSkill(`${f.workspace}/skills`, "notes", "description: workspace notes");
  await writeSkill(`${f.home}/skills`, "notes", "description: user notes");
  await writeSkill(`${f.home}/skills`, "weather", "description: Forecasts");
  await writeSkill(`${f.home}/extra`, "cal", "description: Calendar");
  const config = cfg({ skills: { extraDirs: [`${f.home}/extra`] } });
  const catalog = createSkillCatalog({ config: () => config, home: f.home, env: { PATH: "/usr/bin:/bin" } });
  const { skills, problems } = await catalog.get(f.workspace);
  assert.deepEqual(skills.map((s) => [s.name, s.source]), [["notes", "workspace"], ["weather", "user"], [
    "cal",
    "extra",
  ]]);
  assert.equal(skills[0]!.description, "workspace notes");
  assert.match(problems[0]!.error, /skill notes is shadowed by .*workspace\/main\/skills\/notes/);
});

Deno.test("skills: missing bins, env, config or the wrong OS make a skill unavailable, with reasons", async () => {
  await using f = await fixture();
  const root = `${f.home}/skills`;
  await writeSkill(
    root,
    "needs-bin",
    'description: d\nmetadata: {"openclaw":{"requires":{"bins":["no-such-program-xyz"]}}}',
  );
  await writeSkill(
    root,
    "needs-any",
    'description: d\nmetadata: {"openclaw":{"requires":{"anyBins":["nope1","sh"]}}}',
  );
  await writeSkill(
    root,
    "needs-env",
    'description: d\nmetadata: {"openclaw":{"requires":{"env":["SKILL_TOKEN"]}}}',
  );
  await writeSkill(
    root,
    "env-by-entry",
    'description: d\nmetadata: {"openclaw":{"requires":{"env":["E2"]}}}',
  );
  await writeSkill(
    root,
    "needs-config",
    'description: d\nmetadata: {"openclaw":{"requires":{"config":["channels.telegram.enabled"]}}}',
  );
  await writeSkill(root, "other-os", 'description: d\nmetadata: {"openclaw":{"os":["plan9"]}}');
  await writeSkill(root, "off", "description: d");
  await writeSkill(root, "fine", "description: d");
  await Deno.writeTextFile(`${root}/broken.md`, "not a folder");
  await Deno.mkdir(`${root}/bad`);
  await Deno.writeTextFile(`${root}/bad/SKILL.md`, "no frontmatter");
  const config = cfg({
    skills: { entries: { off: { enabled: false }, "env-by-entry": { env: { E2: "${T}" } } } },
  });
  const catalog = createSkillCatalog({ config: () => config, home: f.home, env: { PATH: "/usr/bin:/bin" } });
  const { skills, problems } = await catalog.get();
  const by = Object.fromEntries(skills.map((s) => [s.name, s]));
  assert.match(by["needs-bin"]!.reasons.join(), /missing program: no-such-program-xyz/);
  assert.equal(by["needs-any"]!.available, true, "sh is on PATH");
  assert.match(by["needs-env"]!.reasons.join(), /missing environment: SKILL_TOKEN/);
  assert.equal(by["env-by-entry"]!.available, true, "the entry's env counts");
  assert.match(by["needs-config"]!.reasons.join(), /config not set: channels.telegram.enabled/);
  assert.match(by["other-os"]!.reasons.join(), /runs on plan9/);
  assert.equal(by.off!.enabled, false);
  assert.match(by.off!.reasons.join(), /disabled in skills.entries.off.enabled/);
  assert.equal(by.fine!.available, true);
  assert.match(problems.map((p) => p.error).join(), /must start with YAML frontmatter/);
  const list = skillPromptList(skills, { maxSkills: 60, maxBytes: 5000 });
  assert.deepEqual(
    list.shown.sort(),
    ["env-by-entry", "fine", "needs-any"],
    "only available skills are offered",
  );
});

Deno.test("skills: a new or edited SKILL.md applies on the next look, without a restart", async () => {
  await using f = await fixture();
  let t = 0;
  const config = cfg();
  const catalog = createSkillCatalog({
    config: () => config,
    home: f.home,
    env: {},
    now: () => t,
    maxAgeMs: 1000,
  });
  assert.equal((await catalog.get(f.workspace)).skills.length, 0);
  await writeSkill(`${f.workspace}/skills`, "fresh", "description: first");
  assert.equal((await catalog.get(f.workspace)).skills.length, 0, "within maxAge the cached view holds");
  t += 1000;
  assert.deepEqual((await catalog.get(f.workspace)).skills.map((s) => s.description), ["first"]);
  await Deno.writeTextFile(
    `${f.workspace}/skills/fresh/SKILL.md`,
    "---\nname: fresh\ndescription: second, longer\n---\n",
  );
  t += 1000;
  assert.deepEqual((await catalog.get(f.workspace)).skills.map((s) => s.description), ["second, longer"]);
  await Deno.remove(`${f.workspace}/skills/fresh`, { recursive: true });
  t += 1000;
  assert.equal((await catalog.get(f.workspace)).skills.length, 0, "a removed skill disappears");
});

Deno.test("skills: with 50 installed the prompt stays ≤ 12 KB and the cap is reported", async () => {
  await using f = await fixture();
  for (let i = 0; i < 50; i++) {
    await writeSkill(
      `${f.home}/skills`,
      `skill-${String(i).padStart(2, "0")}`,
      `description: ${"Helps with a fairly specific kind of task that needs explaining. ".repeat(3)}`,
    );
  }
  const config = cfg();
  const catalog = createSkillCatalog({ config: () => config, home: f.home, env: {} });
  const port = createSkillsPort({ catalog, config: () => config });
  const section = await port.promptSection(f.workspace);
  const files = WORKSPACE_FILES.map((name) => ({
    name,
    text: DEFAULT_WORKSPACE_FILES[name],
    bytes: DEFAULT_WORKSPACE_FILES[name].length,
    truncated: false,
  }));
  const system = buildSystemPrompt({ agentId: "main", files, now: 0, sections: [section] });
  assert.ok(new TextEncoder().encode(system).length <= 12_000, `system prompt is ${system.length} bytes`);
  const list = skillPromptList((await catalog.get()).skills, config.skills.prompt);
  assert.ok(list.shown.length >= 10, `${list.shown.length} shown`);
  assert.equal(list.shown.length + list.omitted.length, 50);
  assert.match(
    list.text,
    new RegExp(`\\(${list.omitted.length} more skills not listed: the list is capped\\)`),
  );
});

Deno.test("skills: /skill-name args becomes a turn that names the skill's SKILL.md; other text is untouched", async () => {
  await using f = await fixture();
  await writeSkill(`${f.home}/skills`, "weather", "description: Forecasts");
  await writeSkill(`${f.home}/skills`, "hidden", "description: d\nuser-invocable: false");
  const config = cfg();
  const port = createSkillsPort({
    catalog: createSkillCatalog({ config: () => config, home: f.home, env: {} }),
    config: () => config,
  });
  const text = await port.expandCommand("/weather Paris tomorrow", f.workspace);
  assert.match(
    text ?? "",
    /Use the "weather" skill.*skills\/weather\/SKILL\.md[\s\S]*Request: Paris tomorrow/,
  );
  assert.equal(await port.expandCommand("/hidden x", f.workspace), undefined, "not user-invocable");
  assert.equal(await port.expandCommand("/unknown x", f.workspace), undefined);
  assert.equal(await port.expandCommand("weather please", f.workspace), undefined);
});

Deno.test("config: skill secrets must be ${ENV} references, not literal values", () => {
  assert.throws(
    () => cfg({ skills: { entries: { gh: { apiKey: "ghp_literal_secret" } } } }),
    /skills\.entries\.gh\.apiKey: secrets must be an environment reference/,
  );
  assert.throws(
    () => cfg({ skills: { entries: { gh: { env: { GH_TOKEN: "literal" } } } } }),
    /skills\.entries\.gh\.env\.GH_TOKEN: secrets must be/,
  );
  assert.equal(cfg({ skills: { entries: { gh: { apiKey: "${T}" } } } }).skills.entries.gh?.apiKey, "x");
});
