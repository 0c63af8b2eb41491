/** @jsxImportSource preact */
/** Shared pieces: the "not available" state, errors, links, badges. */
import type { ComponentChildren } from "preact";
import type { UiClient } from "../lib/gateway_client.ts";

/** Page props: the client and the router. */
export interface PageProps {
  client: UiClient;
  nav(path: string): void;
  query: URLSearchParams;
}

export function Unavailable(props: { method: string; what?: string }) {
  return (
    <div class="unavailable" role="status" data-unavailable={props.method}>
      <strong>{props.what ?? "This"} is not available on this gateway.</strong> It does not offer the{" "}
      <code>{props.method}</code> method (an older or partial build).
    </div>
  );
}

export function ErrorLine(props: { error?: string; code?: string }) {
  if (!props.error) return null;
  return <div class="error" role="alert">{props.code ? `${props.code}: ` : ""}{props.error}</div>;
}

export function Link(
  props: {
    href: string;
    nav(path: string): void;
    children: ComponentChildren;
    class?: string;
    current?: boolean;
  },
) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? "page" : undefined}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        props.nav(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export function RunLink(props: { runId: string; nav(path: string): void; label?: string }) {
  return (
    <Link href={`/runs?run=${encodeURIComponent(props.runId)}`} nav={props.nav} class="runlink">
      {props.label ?? props.runId}
    </Link>
  );
}

export function Badge(props: { tone?: "ok" | "warn" | "err" | "muted"; children: ComponentChildren }) {
  return <span class={`badge ${props.tone ?? "muted"}`}>{props.children}</span>;
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="page">
      <header class="page-head">
        <h1>{props.title}</h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}
