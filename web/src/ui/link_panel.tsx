/** @jsxImportSource preact */
/**
 * Links a device account (WhatsApp web) from the Channels page: "Link" calls `channels.login` (admin) and
 * shows the live QR the gateway renders, re-read every 2 s until the account is linked. The QR arrives as
 * SVG text and is shown as an <img> data URL, so it is never inserted as markup.
 */
import { useEffect, useState } from "preact/hooks";
import type { UiClient } from "../lib/gateway_client.ts";
import { isAdmin } from "./approval_card.tsx";

interface LinkView {
  state: "not-linked" | "linking" | "linked" | "logged-out";
  number?: string;
  qrSvg?: string;
  pairingCode?: string;
}

const POLL_MS = 2000;

export function LinkPanel(
  { client, channel, accountId, state }: {
    client: UiClient;
    channel: string;
    accountId: string;
    state: LinkView["state"];
  },
) {
  const [view, setView] = useState<LinkView>();
  const [err, setErr] = useState<string>();
  const linking = view?.state === "linking";
  useEffect(() => {
    if (!linking) return;
    const timer = setInterval(() => {
      if (client.status !== "open") return;
      client.request<LinkView>("channels.login", { channel, accountId }).then(
        setView,
        (e) => setErr(e.message),
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [client, linking, channel, accountId]);
  if (state === "linked" && !linking) return null;
  if (!client.has("channels.login")) return null;
  const start = async () => {
    setErr(undefined);
    try {
      setView(await client.request<LinkView>("channels.login", { channel, accountId, waitMs: 5000 }));
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  const admin = isAdmin(client);
  return (
    <div class="link-panel">
      {view?.state === "linked"
        ? <div class="notice" role="status">Linked as {view.number ?? "?"}</div>
        : view?.qrSvg
        ? (
          <div>
            <img
              class="qr"
              width={240}
              height={240}
              alt="WhatsApp link QR code"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(view.qrSvg)}`}
            />
            <div class="muted small">
              On your phone: WhatsApp → Settings → Linked devices → Link a device, then scan.
            </div>
            {view.pairingCode && (
              <div>
                Pairing code: <code>{view.pairingCode}</code>
              </div>
            )}
          </div>
        )
        : (
          <div class="muted small">
            {state === "logged-out" ? "WhatsApp logged this device out: link it again." : "Not linked yet."}
          </div>
        )}
      {err && <div class="error small">{err}</div>}
      {!linking && view?.state !== "linked" && (
        <button type="button" class="primary" disabled={!admin} onClick={start}>
          {admin ? "Link (show QR)" : "Linking needs an admin connection"}
        </button>
      )}
    </div>
  );
}
