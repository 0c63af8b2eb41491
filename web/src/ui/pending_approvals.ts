/// <reference lib="dom" />
/**
 * The number of pending approvals for the whole app: a badge on the Approvals tab, the page title
 * (`(2) Talon`), and a browser notification for each new one when the user allowed notifications.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { UiClient } from "../lib/gateway_client.ts";

/** `(n) title` when n > 0. */
export const titleWithCount = (base: string, n: number) => (n > 0 ? `(${n}) ${base}` : base);

export function usePendingApprovals(client: UiClient): number {
  const [ids, setIds] = useState<string[]>([]);
  const seen = useRef<Set<string> | undefined>(undefined);
  useEffect(() => {
    if (!client.has("approvals.list")) return;
    const load = () =>
      client.request<{ approvals?: { id: string; argv?: string[]; tool?: string }[] }>("approvals.list").then(
        (r) => {
          const list = r.approvals ?? [];
          const first = seen.current === undefined;
          const known = seen.current ?? new Set<string>();
          for (const a of list) {
            if (
              !first && !known.has(a.id) && "Notification" in globalThis &&
              Notification.permission === "granted"
            ) {
              new Notification("Talon: approval needed", {
                body: `${a.tool ?? "exec"}: ${(a.argv ?? []).join(" ").slice(0, 120)}`,
                tag: a.id,
              });
            }
            known.add(a.id);
          }
          seen.current = known;
          setIds(list.map((a) => a.id));
        },
        () => {},
      );
    void client.subscribe({ events: ["approval.requested", "approval.resolved"] });
    load();
    const offs = [
      client.on("approval.requested", load),
      client.on("approval.resolved", load),
      client.onHello(load),
    ];
    return () => offs.forEach((off) => off());
  }, [client]);
  useEffect(() => {
    document.title = titleWithCount("Talon", ids.length);
  }, [ids.length]);
  return ids.length;
}
