import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo, PAIRING_ALPHABET } from "../../src/store/pairing.ts";

async function setup(options = {}) {
  let t = 1_000_000;
  const store = await openStore({ url: ":memory:" });
  const repo = createPairingRepo(store.db, () => t, options);
  return { store, repo, advance: (ms: number) => (t += ms) };
}

const who = (senderId: string, accountId = "default") => ({ channel: "telegram", accountId, senderId });

Deno.test("pairing: codes are 8 characters from the unambiguous alphabet", async () => {
  const { store, repo } = await setup();
  const res = await repo.request(who("1"));
  assert.equal(res.status, "created");
  if (res.status !== "created") return;
  assert.match(res.request.code, /^[A-Z2-9]{8}$/);
  for (const ch of res.request.code) assert.ok(PAIRING_ALPHABET.includes(ch));
  assert.ok(!/[01OI]/.test(PAIRING_ALPHABET));
  store.close();
});

Deno.test("pairing: the same sender keeps their pending code", async () => {
  const { store, repo } = await setup();
  const a = await repo.request(who("1"));
  const b = await repo.request(who("1"));
  assert.equal(b.status, "pending");
  assert.equal(a.status === "created" && b.status === "pending" && a.request.code === b.request.code, true);
  store.close();
});

Deno.test("pairing: at most 3 pending per channel; expired ones free a slot", async () => {
  const { store, repo, advance } = await setup();
  for (const id of ["1", "2", "3"]) assert.equal((await repo.request(who(id))).status, "created");
  assert.equal((await repo.request(who("4"))).status, "limited");
  assert.equal((await repo.request({ ...who("4"), channel: "discord" })).status, "created");
  advance(60 * 60 * 1000);
  assert.equal((await repo.list("telegram")).length, 0);
  assert.equal((await repo.request(who("4"))).status, "created");
  store.close();
});

Deno.test("pairing: approve stores the sender, case-insensitive code, once", async () => {
  const { store, repo } = await setup();
  const res = await repo.request({ ...who("42", "bot2"), senderName: "alice" });
  assert.equal(res.status, "created");
  if (res.status !== "created") return;
  assert.equal(await repo.isApproved("telegram", "bot2", "42"), false);
  assert.equal(await repo.approve("discord", res.request.code), undefined, "wrong channel");
  const approved = await repo.approve("telegram", res.request.code.toLowerCase(), "cli");
  assert.equal(approved?.senderId, "42");
  assert.equal(approved?.approvedBy, "cli");
  assert.equal(await repo.isApproved("telegram", "bot2", "42"), true);
  assert.equal(await repo.isApproved("telegram", "default", "42"), false);
  assert.equal(await repo.approve("telegram", res.request.code), undefined, "a code is single-use");
  assert.deepEqual((await repo.approved("telegram")).map((s) => s.senderName), ["alice"]);
  assert.equal(await repo.revoke("telegram", "bot2", "42"), true);
  assert.equal(await repo.isApproved("telegram", "bot2", "42"), false);
  store.close();
});

Deno.test("pairing: an expired code cannot be approved; deny removes a request", async () => {
  const { store, repo, advance } = await setup();
  const a = await repo.request(who("1"));
  const b = await repo.request(who("2"));
  assert.ok(a.status === "created" && b.status === "created");
  assert.equal(await repo.deny("telegram", b.request.code), true);
  assert.equal(await repo.deny("telegram", b.request.code), false);
  assert.deepEqual((await repo.list()).map((r) => r.senderId), ["1"]);
  advance(60 * 60 * 1000 + 1);
  assert.equal(await repo.approve("telegram", a.request.code), undefined);
  assert.equal(await repo.isApproved("telegram", "default", "1"), false);
  store.close();
});
