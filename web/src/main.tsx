/** @jsxImportSource preact */
/// <reference lib="dom" />
/** The Control UI: sign-in, the connection, the shell and the router. */
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ClientStatus, createUiClient, type UiClient } from "./lib/gateway_client.ts";
import { clearToken, loadToken, readSigninCode, saveToken } from "./lib/signin.ts";
import { Link } from "./ui/common.tsx";
import { SignIn } from "./pages/sign_in.tsx";
import { Overview } from "./pages/overview.tsx";
import { Chat, CHAT_PLACE } from "./pages/chat.tsx";
import { usePendingApprovals } from "./ui/pending_approvals.ts";
import { useRestarting } from "./ui/hooks.ts";
import { Sessions } from "./pages/sessions.tsx";
import { Runs } from "./pages/runs.tsx";
import { Channels } from "./pages/channels.tsx";
import { Approvals } from "./pages/approvals.tsx";
import { ConfigPage } from "./pages/config.tsx";
import { Logs } from "./pages/logs.tsx";
import { Agents } from "./pages/agents.tsx";
import { Outbox } from "./pages/outbox.tsx";
import { Tokens } from "./pages/tokens.tsx";
import { Cron } from "./pages/cron.tsx";
import { Tools } from "./pages/tools.tsx";

const ROUTES = [
  { path: "/", label: "Overview", page: Overview },
  { path: "/chat", label: "Chat", page: Chat },
  { path: "/sessions", label: "Sessions", page: Sessions },
  { path: "/runs", label: "Runs", page: Runs },
  { path: "/channels", label: "Channels", page: Channels },
  { path: "/approvals", label: "Approvals", page: Approvals },
  { path: "/config", label: "Config", page: ConfigPage },
  { path: "/logs", label: "Logs", page: Logs },
  { path: "/agents", label: "Agents", page: Agents },
  { path: "/outbox", label: "Outbox", page: Outbox },
  { path: "/tokens", label: "Tokens", page: Tokens },
  { path: "/cron", label: "Cron", page: Cron },
  { path: "/tools", label: "Tools", page: Tools },
];

const STATUS_TEXT: Record<ClientStatus, string> = {
  connecting: "connecting…",
  open: "connected",
  reconnecting: "reconnecting…",
  refused: "refused",
  closed: "signed out",
};

const wsUrl = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;

function App() {
  const [client, setClient] = useState<UiClient>();
  const [ready, setReady] = useState(false);
  const [status, setStatus] = useState<ClientStatus>("connecting");
  const [signinError, setSigninError] = useState<string>();
  const [busy, setBusy] = useState(false);
  /** After RATE_LIMITED: when to try again, and with which token. */
  const [retry, setRetry] = useState<{ at: number; token: string }>();
  const [loc, setLoc] = useState({ path: location.pathname, search: location.search });
  const current = useRef<UiClient>();

  /** Connects with a token; it is stored only once the gateway accepted it. */
  const start = useCallback((token: string, onOpen?: (c: UiClient) => void) => {
    current.current?.close();
    setBusy(true);
    setSigninError(undefined);
    setRetry(undefined);
    const c = createUiClient({ url: wsUrl(), token });
    current.current = c;
    setClient(c);
    c.onStatus((s) => {
      if (current.current !== c) return;
      setStatus(s);
      if (s === "open") {
        setBusy(false);
        if (onOpen) onOpen(c);
        else {
          saveToken(sessionStorage, token);
          setReady(true);
        }
      } else if (s === "refused") {
        clearToken(sessionStorage);
        const r = c.refusal;
        if (r?.code === "RATE_LIMITED") setRetry({ at: Date.now() + (r.retryAfterMs ?? 5000), token });
        setSigninError(
          // The gateway's words name the command that works on its machine.
          onOpen && (r?.detail === "AUTH_SIGNIN_USED" || r?.detail === "AUTH_SIGNIN_EXPIRED")
            ? `${r.message}.`
            : onOpen && r?.code === "UNAUTHORIZED"
            ? "The sign-in link was refused: it was already used or has expired — run `talon dashboard` again."
            : r?.code === "UNAUTHORIZED"
            ? "The gateway refused this token (wrong, expired or revoked). Paste a valid gateway token."
            : `${r?.code ?? "ERROR"}: ${r?.message ?? "connection refused"}`,
        );
        setBusy(false);
        setReady(false);
        c.close();
        current.current = undefined;
        setClient(undefined);
      }
    });
  }, []);

  useEffect(() => {
    const code = readSigninCode(location.hash);
    // Whatever the fragment held, it leaves the address bar and this history entry now.
    if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
    if (code) {
      start(code, (c) => {
        if (!c.has("ui.signin.redeem")) {
          setSigninError("This gateway cannot redeem sign-in links; paste the token instead.");
          c.close();
          setBusy(false);
          return;
        }
        c.request<{ token: string }>("ui.signin.redeem").then(
          (r) => start(r.token),
          (err) => {
            setSigninError(`The sign-in link was refused: ${err.message}`);
            c.close();
            setBusy(false);
          },
        );
      });
      return;
    }
    const saved = loadToken(sessionStorage);
    if (saved) start(saved);
    else setBusy(false);
  }, []);

  useEffect(() => {
    const onPop = () => setLoc({ path: location.pathname, search: location.search });
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const nav = useCallback((href: string) => {
    if (
      document.body.dataset.unsaved && !confirm("You have unsaved changes. Leave this page without saving?")
    ) {
      return;
    }
    history.pushState(null, "", href);
    const u = new URL(href, location.href);
    setLoc({ path: u.pathname, search: u.search });
    scrollTo(0, 0);
  }, []);

  const signOut = () => {
    clearToken(sessionStorage);
    current.current?.close();
    current.current = undefined;
    setClient(undefined);
    setReady(false);
  };

  if (!client || !ready) {
    return (
      <SignIn
        busy={busy && !!client}
        error={signinError}
        retryAt={retry?.at}
        onToken={(t) => start(t)}
        onRetry={() => retry && start(retry.token)}
        onCancel={() => (setRetry(undefined), setSigninError(undefined))}
      />
    );
  }
  return <Shell client={client} status={status} loc={loc} nav={nav} signOut={signOut} />;
}

function Shell(
  props: {
    client: UiClient;
    status: ClientStatus;
    loc: { path: string; search: string };
    nav(href: string): void;
    signOut(): void;
  },
) {
  const { client, status, loc, nav } = props;
  const pending = usePendingApprovals(client);
  const restarting = useRestarting(client);
  const route = ROUTES.find((r) => r.path === loc.path) ?? ROUTES[0]!;
  const Page = route.page;
  const href = (
    r: typeof route,
  ) => (r.path === "/chat" ? `/chat${sessionStorage.getItem(CHAT_PLACE) ?? ""}` : r.path);
  return (
    <div class="shell">
      <a href="#main" class="skip-link">Skip to content</a>
      <header class="top">
        <div class="brand">Talon</div>
        <nav class="tabs" aria-label="Pages">
          {ROUTES.map((r) => (
            <Link
              href={href(r)}
              nav={nav}
              class={r === route ? "tab active" : "tab"}
              current={r === route}
            >
              {r.label}
              {r.path === "/approvals" && pending > 0 && (
                <span class="count" id="approvals-count" aria-label={`${pending} pending`}>{pending}</span>
              )}
            </Link>
          ))}
        </nav>
        <div class="conn">
          <span class={`pill ${status}`} data-status={status} role="status">{STATUS_TEXT[status]}</span>
          {"Notification" in globalThis && Notification.permission === "default" && (
            <button
              type="button"
              class="ghost"
              id="notify"
              onClick={() => void Notification.requestPermission()}
            >
              Notify me
            </button>
          )}
          <button type="button" class="ghost" onClick={props.signOut}>Sign out</button>
        </div>
      </header>
      {restarting && (
        <div class="banner" role="status" id="restart-banner">
          The gateway is restarting — reconnecting…
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <Page
          key={route.path === "/chat" ? loc.path + loc.search : route.path}
          client={client}
          nav={nav}
          query={new URLSearchParams(loc.search)}
        />
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
