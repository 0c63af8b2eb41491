import assert from "node:assert/strict";
import { parseSkillFile } from "../../src/skills/manifest.ts";

Deno.test("SKILL.md: AgentSkills frontmatter and body", () => {
  const m = parseSkillFile(
    "---\nname: pdf-tools\ndescription: Split and merge PDF files.\nuser-invocable: false\n---\n# PDF\nUse qpdf.\n",
  );
  assert.equal(m.name, "pdf-tools");
  assert.equal(m.description, "Split and merge PDF files.");
  assert.equal(m.userInvocable, false);
  assert.equal(m.disableModelInvocation, false);
  assert.equal(m.body, "# PDF\nUse qpdf.\n");
  assert.deepEqual(m.requires, { bins: [], anyBins: [], env: [], config: [] });
});

Deno.test("SKILL.md: OpenClaw's metadata (a JSON string, metadata.openclaw.*) is understood, other keys kept", () => {
  const m = parseSkillFile([
    "---",
    "name: gh",
    'description: "Work with GitHub: issues, PRs."',
    'metadata: {"openclaw": {"emoji": "🐙", "os": ["linux", "darwin"], "primaryEnv": "GH_TOKEN", ' +
    '"requires": {"bins": ["gh"], "anyBins": ["git", "jj"], "env": ["GH_TOKEN"], "config": ["tools.exec"]}}}',
    "homepage: https://example.invalid/gh",
    "disable-model-invocation: true",
    "---",
    "body",
  ].join("\n"));
  assert.deepEqual(m.requires, {
    bins: ["gh"],
    anyBins: ["git", "jj"],
    env: ["GH_TOKEN"],
    config: ["tools.exec"],
  });
  assert.deepEqual(m.os, ["linux", "darwin"]);
  assert.equal(m.primaryEnv, "GH_TOKEN");
  assert.equal(m.disableModelInvocation, true);
  assert.equal(m.frontmatter.homepage, "https://example.invalid/gh");
});

Deno.test("SKILL.md: YAML metadata mapping with requires works too", () => {
  const m = parseSkillFile(
    "---\nname: w\ndescription: d\nmetadata:\n  requires:\n    bins: [curl]\n    env: API_KEY\n---\n",
  );
  assert.deepEqual(m.requires.bins, ["curl"]);
  assert.deepEqual(m.requires.env, ["API_KEY"]);
});

Deno.test("SKILL.md: bad files are refused with what is wrong", () => {
  assert.throws(() => parseSkillFile("# no frontmatter"), /must start with YAML frontmatter/);
  assert.throws(() => parseSkillFile("---\nname: [unclosed\n---\n"), /not valid YAML/);
  assert.throws(() => parseSkillFile("---\n- a list\n---\n"), /must be a mapping/);
  assert.throws(
    () => parseSkillFile("---\nname: ../evil\ndescription: x\n---\n"),
    /name "\.\.\/evil" must be/,
  );
  assert.throws(() => parseSkillFile("---\nname: ok\n---\n"), /needs a description/);
  assert.throws(
    () => parseSkillFile("---\nname: ok\ndescription: d\nmetadata: '{nope'\n---\n"),
    /not a JSON object/,
  );
});
