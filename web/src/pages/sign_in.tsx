/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Sign in: paste the gateway token once. It is kept in sessionStorage and never put in a URL. */
import { useState } from "preact/hooks";

export function SignIn(props: { busy: boolean; error?: string; onToken(token: string): void }) {
  const [token, setToken] = useState("");
  return (
    <div class="signin">
      <form
        class="card signin-card"
        method="post"
        action="#"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) props.onToken(token.trim());
        }}
      >
        <h1>Talon</h1>
        <p class="muted">
          Paste the gateway token (printed on first start, stored in{" "}
          <code>~/.talon/credentials/gateway-token</code>) or run <code>talon dashboard</code>{" "}
          for a one-time sign-in link.
        </p>
        <label for="token">Gateway token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        {props.error && <div class="error" role="alert" id="signin-error">{props.error}</div>}
        <button type="submit" class="primary" disabled={props.busy || !token.trim()}>
          {props.busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="muted small">
          The token stays in this tab only (sessionStorage) and is never sent in a URL.
        </p>
      </form>
    </div>
  );
}
