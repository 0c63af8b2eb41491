/**
 * The linked device's Signal keys on disk: `~/.talon/credentials/whatsapp/<account>/`, the directory 0700
 * and every file 0600, each write atomic (a temp file renamed over the old one) so a crash never leaves a
 * half-written key. The JSON codec (Buffers as base64) and the fresh-credentials generator come from
 * Baileys through `AuthCodec`, so this module does not load Baileys itself. Contents are never logged.
 */

/** Baileys' helpers the store needs (`BufferJSON`, `initAuthCreds`, `proto…AppStateSyncKeyData`). */
export interface AuthCodec {
  initAuthCreds(): Record<string, unknown>;
  replacer(key: string, value: unknown): unknown;
  reviver(key: string, value: unknown): unknown;
  /** Turns a stored `app-state-sync-key` back into its protobuf object. */
  appStateSyncKey(value: unknown): unknown;
}

/** Baileys' `AuthenticationState` as the socket takes it. */
export interface StoredAuthState {
  creds: Record<string, unknown>;
  keys: {
    get(type: string, ids: string[]): Promise<Record<string, unknown>>;
    set(data: Record<string, Record<string, unknown>>): Promise<void>;
  };
}

export interface AuthStore {
  state: StoredAuthState;
  /** Persists `state.creds` (call on every `creds.update`). */
  saveCreds(): Promise<void>;
}

const CREDS = "creds.json";

/** Opens (creating when missing) the credential directory. */
export async function openAuthStore(dir: string, codec: AuthCodec): Promise<AuthStore> {
  await ensurePrivateDir(dir);
  const chains = new Map<string, Promise<void>>();
  const write = (file: string, value: unknown): Promise<void> => {
    const previous = chains.get(file) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() =>
      writeAtomic(`${dir}/${file}`, JSON.stringify(value, codec.replacer))
    );
    chains.set(file, next);
    return next;
  };
  const read = async (file: string): Promise<unknown> => {
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/${file}`), codec.reviver);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  };
  const remove = (file: string) =>
    (chains.get(file) ?? Promise.resolve()).catch(() => {}).then(() =>
      Deno.remove(`${dir}/${file}`).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      })
    );
  const stored = await read(CREDS) as Record<string, unknown> | undefined;
  const creds = stored ?? codec.initAuthCreds();
  // Fresh keys are written at once, so a restart mid-link keeps the same device identity.
  if (!stored) await write(CREDS, creds);
  return {
    state: {
      creds,
      keys: {
        async get(type, ids) {
          const out: Record<string, unknown> = {};
          await Promise.all(ids.map(async (id) => {
            let value = await read(keyFile(type, id));
            if (value !== undefined && type === "app-state-sync-key") value = codec.appStateSyncKey(value);
            out[id] = value ?? undefined;
          }));
          return out;
        },
        async set(data) {
          const tasks: Promise<void>[] = [];
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              tasks.push(value ? write(keyFile(type, id), value) : remove(keyFile(type, id)));
            }
          }
          await Promise.all(tasks);
        },
      },
    },
    saveCreds: () => write(CREDS, creds),
  };
}

/** The linked number (from `creds.json`'s `me.id`), or undefined when the account was never linked. */
export async function readLinkedJid(dir: string): Promise<string | undefined> {
  try {
    const creds = JSON.parse(await Deno.readTextFile(`${dir}/${CREDS}`)) as { me?: { id?: unknown } };
    return typeof creds.me?.id === "string" ? creds.me.id : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Removes an account's credentials (logout). */
export async function removeCredentials(dir: string): Promise<boolean> {
  try {
    await Deno.remove(dir, { recursive: true });
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** A key's file name: type and id with anything but [\w@-] percent-encoded (no `/`, no `..`). */
function keyFile(type: string, id: string): string {
  const safe = (s: string) =>
    s.replace(/[^\w@-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `${safe(type)}--${safe(id)}.json`;
}

/** Creates `dir` (and its parents) owner-only; tightens an existing one. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  if (Deno.build.os !== "windows") await Deno.chmod(dir, 0o700);
}

/** Writes `text` to a 0600 temp file next to `path`, then renames it over `path`. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text, { mode: 0o600 });
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
