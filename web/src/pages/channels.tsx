/** @jsxImportSource preact */
/** Channels: status per channel/account, and pending pairing requests with approve/deny. */
import { useEffect, useState } from "preact/hooks";
import { fmtTime } from "../lib/format.ts";
import { Badge, ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";
import { LinkPanel } from "../ui/link_panel.tsx";

interface ChannelStatus {
  channel: string;
  accountId?: string;
  mode?: string;
  botName?: string;
  running?: boolean;
  connected?: boolean;
  lastEventAt?: number;
  lastError?: string;
  lastErrorAt?: number;
  link?: { state: "not-linked" | "linking" | "linked" | "logged-out"; number?: string };
}
interface PairingRequest {
  channel: string;
  accountId?: string;
  senderId: string;
  senderName?: string;
  code: string;
  createdAt?: number;
  expiresAt?: number;
}

const POLL_MS = 3000;

export function Channels({ client }: PageProps) {
  const status = useRequest<{ channels?: ChannelStatus[] }>(client, "channels.status");
  const pairing = useRequest<
    {
      pending?: PairingRequest[];
      approved?: { channel: string; senderId: string; senderName?: string; approvedAt?: number }[];
    }
  >(
    client,
    "pairing.list",
  );
  const [err, setErr] = useState<string>();
  const [done, setDone] = useState<string>();
  // No event announces a new pairing request or a reconnect: re-read while the page is open.
  useEffect(() => {
    const timer = setInterval(() => {
      if (client.status !== "open") return;
      status.reload();
      pairing.reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [client]);
  const decide = async (method: "pairing.approve" | "pairing.deny", r: PairingRequest) => {
    setErr(undefined);
    try {
      await client.request(method, { channel: r.channel, code: r.code });
      setDone(
        `${method === "pairing.approve" ? "Approved" : "Denied"} ${
          r.senderName ?? r.senderId
        } on ${r.channel}`,
      );
      pairing.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  const channels = status.data?.channels ?? [];
  const pending = pairing.data?.pending ?? [];
  return (
    <Page
      title="Channels"
      actions={<button type="button" onClick={() => (status.reload(), pairing.reload())}>Refresh</button>}
    >
      {status.unavailable
        ? <Unavailable method="channels.status" what="Channel status" />
        : (
          <div class="cards">
            <ErrorLine error={status.error} code={status.errorCode} />
            {channels.map((c) => (
              <div class="card channel" data-channel={c.channel}>
                <div class="row">
                  <strong>{c.channel}</strong>
                  <span class="muted">
                    {c.accountId ?? "default"}
                    {c.mode ? ` · ${c.mode}` : ""}
                    {c.botName ? ` · ${c.botName}` : ""}
                  </span>
                  <Badge tone={c.connected ? "ok" : c.running ? "warn" : "err"}>
                    {c.connected ? "connected" : c.running ? "starting" : "stopped"}
                  </Badge>
                </div>
                <div class="muted small">Last event: {fmtTime(c.lastEventAt)}</div>
                {c.lastError && (
                  <div class="error small">Last error ({fmtTime(c.lastErrorAt)}): {c.lastError}</div>
                )}
                {c.link && (
                  <LinkPanel
                    client={client}
                    channel={c.channel}
                    accountId={c.accountId ?? "default"}
                    state={c.link.state}
                  />
                )}
              </div>
            ))}
            {channels.length === 0 && !status.loading && <p class="muted">No channels configured.</p>}
          </div>
        )}
      <h2>Pairing requests</h2>
      {done && <div class="notice" role="status">{done}</div>}
      <ErrorLine error={err} />
      {pairing.unavailable ? <Unavailable method="pairing.list" what="Pairing" /> : (
        <div class="table-wrap">
          <ErrorLine error={pairing.error} code={pairing.errorCode} />
          <table id="pairing-table">
            <thead>
              <tr>
                <th>Channel</th>
                <th>Sender</th>
                <th>Code</th>
                <th>Requested</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {pending.map((r) => (
                <tr data-code={r.code}>
                  <td>{r.channel}</td>
                  <td>
                    {r.senderName ?? r.senderId}
                    <div class="muted small">{r.senderId}</div>
                  </td>
                  <td>
                    <code>{r.code}</code>
                  </td>
                  <td>{fmtTime(r.createdAt)}</td>
                  <td class="buttons">
                    <button type="button" class="primary" onClick={() => decide("pairing.approve", r)}>
                      Approve
                    </button>
                    <button type="button" class="danger" onClick={() => decide("pairing.deny", r)}>
                      Deny
                    </button>
                  </td>
                </tr>
              ))}
              {pending.length === 0 && !pairing.loading && (
                <tr>
                  <td colSpan={5} class="muted">No pending requests.</td>
                </tr>
              )}
            </tbody>
          </table>
          {(pairing.data?.approved ?? []).length > 0 && (
            <>
              <h3>Approved senders</h3>
              <ul class="plain approved-senders">
                {pairing.data!.approved!.map((a) => (
                  <li>
                    {a.channel}: {a.senderName ?? a.senderId}{" "}
                    <span class="muted">{fmtTime(a.approvedAt)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </Page>
  );
}
