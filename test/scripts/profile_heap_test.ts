import assert from "node:assert/strict";
import { largestStrings, type Snapshot, summariseSnapshot } from "../../scripts/profile_heap.ts";

/** A heap snapshot in V8's format: 3 fields per node (type, name, self_size). */
const snapshot: Snapshot = {
  snapshot: {
    meta: {
      node_fields: ["type", "name", "self_size"],
      node_types: [["object", "string", "code", "closure"]],
    },
  },
  strings: ["Foo", "hello world", '{"model":1}', "run", "other"],
  // type index, name index, size
  nodes: [
    0,
    0,
    100, // object Foo
    0,
    0,
    50, // object Foo
    1,
    1,
    400, // string "hello world"
    1,
    2,
    300, // string {"model":1}
    1,
    2,
    300, // string {"model":1}
    2,
    4,
    999, // code: grouped without a name
    3,
    3,
    40, // closure run
  ],
};

Deno.test("heap profile: self size by type and constructor, largest first; code and strings by type", () => {
  assert.deepEqual(summariseSnapshot(snapshot, 10), [
    { kind: "string", count: 3, bytes: 1000 },
    { kind: "code", count: 1, bytes: 999 },
    { kind: "object Foo", count: 2, bytes: 150 },
    { kind: "closure run", count: 1, bytes: 40 },
  ]);
  assert.equal(summariseSnapshot(snapshot, 2).length, 2);
});

Deno.test("heap profile: the strings taking most bytes, grouped by how they start", () => {
  assert.deepEqual(largestStrings(snapshot, 5), [
    { kind: 'string "{\\"model\\":1}"', count: 2, bytes: 600 },
    { kind: 'string "hello world"', count: 1, bytes: 400 },
  ]);
});
