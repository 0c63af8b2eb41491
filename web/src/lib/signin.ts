/**
 * Where the Control UI keeps its credential, and the one-time sign-in link.
 *
 * The token lives in `sessionStorage` only (per tab, gone when the tab closes) and never in a URL.
 * `talon dashboard` opens `http://host:port/#signin=<one-time code>`: a fragment is never sent to the
 * server nor in a Referer; the UI reads it, wipes it from the address bar and history entry at once
 * (`history.replaceState`), connects with the code and redeems it (`ui.signin.redeem`) for a session
 * token that expires. The code works once and for 60 s.
 */

/** sessionStorage key of the token. */
export const TOKEN_KEY = "talon.token";

/** Reads a one-time sign-in code from a location hash like `#signin=abc`; undefined otherwise. */
export function readSigninCode(hash: string): string | undefined {
  const h = hash.startsWith("#") ? hash.slice(1) : hash;
  for (const part of h.split("&")) {
    const [k, v] = part.split("=", 2);
    if (k === "signin" && v && /^[A-Za-z0-9_-]{16,200}$/.test(v)) return v;
  }
  return undefined;
}

/** Minimal Storage surface (sessionStorage in the browser). */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadToken(store: TokenStore): string | undefined {
  const t = store.getItem(TOKEN_KEY);
  return t && t.trim() ? t.trim() : undefined;
}

export function saveToken(store: TokenStore, token: string): void {
  store.setItem(TOKEN_KEY, token.trim());
}

export function clearToken(store: TokenStore): void {
  store.removeItem(TOKEN_KEY);
}
