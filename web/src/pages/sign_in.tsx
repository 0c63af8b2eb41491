/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Sign in: paste the gateway token once. It is kept in sessionStorage and never put in a URL. When the
 * gateway rate-limits sign-in attempts, a countdown says when the next try happens (and can be cancelled).
 */
import { useEffect, useRef, useState } from "preact/hooks";

export interface SignInProps {
  busy: boolean;
  error?: string;
  /** When the gateway allows the next attempt (ms since the epoch), after RATE_LIMITED. */
  retryAt?: number;
  onToken(token: string): void;
  /** Tries again once the countdown ends. */
  onRetry?(): void;
  onCancel?(): void;
}

export function SignIn(props: SignInProps) {
  const [token, setToken] = useState("");
  const [now, setNow] = useState(Date.now());
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    if (!props.retryAt) return;
    const t = setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= props.retryAt!) {
        clearInterval(t);
        props.onRetry?.();
      }
    }, 250);
    return () => clearInterval(t);
  }, [props.retryAt]);
  const left = props.retryAt ? Math.max(0, Math.ceil((props.retryAt - now) / 1000)) : 0;
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
          ref={input}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        {props.retryAt
          ? (
            <div class="error" role="alert" id="signin-error" data-retry-in={left}>
              Too many attempts — try again in <span id="signin-countdown">{left}</span> s{" "}
              <button type="button" class="ghost" id="signin-cancel" onClick={props.onCancel}>Cancel</button>
            </div>
          )
          : props.error && <div class="error" role="alert" id="signin-error">{props.error}</div>}
        <button type="submit" class="primary" disabled={props.busy || !!props.retryAt || !token.trim()}>
          {props.busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="muted small">
          The token stays in this tab only (sessionStorage) and is never sent in a URL.
        </p>
      </form>
    </div>
  );
}
