/**
 * Seeded random generators for the reliability fuzzers: values, strings, and mutations of JSON text and
 * objects. The seed comes from FUZZ_SEED or is random, and is printed so a failure can be replayed.
 */

/** mulberry32: a small, fast, seedable PRNG. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}

export type Rng = ReturnType<typeof createRng>;

/** The seed of this run: FUZZ_SEED or a random one. */
export function fuzzSeed(): number {
  const fromEnv = Deno.env.get("FUZZ_SEED");
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789{}[]":,.-_ \\/\n\t\u0000\u00e9\u4e2d\ud83d\ude00\ud800';

/** A random string of up to `max` characters (including quotes, braces, control chars, a lone surrogate). */
export function randomString(rng: Rng, max = 40): string {
  let s = "";
  const n = rng.int(max + 1);
  for (let i = 0; i < n; i++) s += ALPHABET[rng.int(ALPHABET.length)];
  return s;
}

/** A random JSON-able value, nested up to `depth`. */
export function randomValue(rng: Rng, depth = 3): unknown {
  switch (rng.int(depth > 0 ? 9 : 6)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 42]);
    case 3:
      return randomString(rng);
    case 4:
      return rng.pick(["", "__proto__", "constructor", "${HOME}", "x".repeat(300), "req", "connect"]);
    case 5:
      return [];
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth - 1));
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) o[randomString(rng, 8)] = randomValue(rng, depth - 1);
      return o;
    }
    default: {
      let v: unknown = 1;
      for (let i = rng.int(60); i > 0; i--) v = rng.chance(0.5) ? [v] : { a: v };
      return v;
    }
  }
}

/** Mutates JSON text: flip, delete, duplicate, insert or truncate. May produce invalid JSON. */
export function mutateText(rng: Rng, text: string): string {
  if (text.length === 0) return randomString(rng);
  const i = rng.int(text.length);
  switch (rng.int(5)) {
    case 0:
      return text.slice(0, i) + ALPHABET[rng.int(ALPHABET.length)] + text.slice(i + 1);
    case 1:
      return text.slice(0, i) + text.slice(i + 1 + rng.int(8));
    case 2: {
      const part = text.slice(i, i + 1 + rng.int(16));
      return text.slice(0, i) + part + part + text.slice(i);
    }
    case 3:
      return text.slice(0, i) + rng.pick(["{", "}", "[", "]", '"', ",", ":", "null", "\\u", "1e9999"]) +
        text.slice(i);
    default:
      return text.slice(0, i);
  }
}

/** Mutates an object: drops, replaces or adds one field (recursively into a random child sometimes). */
export function mutateObject(rng: Rng, obj: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(obj);
  const keys = Object.keys(out);
  const key = keys.length ? rng.pick(keys) : "x";
  const child = out[key];
  if (child && typeof child === "object" && !Array.isArray(child) && rng.chance(0.4)) {
    out[key] = mutateObject(rng, child as Record<string, unknown>);
    return out;
  }
  switch (rng.int(3)) {
    case 0:
      delete out[key];
      break;
    case 1:
      out[key] = randomValue(rng);
      break;
    default:
      out[randomString(rng, 10)] = randomValue(rng);
  }
  return out;
}
