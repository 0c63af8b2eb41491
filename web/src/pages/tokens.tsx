/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Tokens (admin): create a gateway token with scopes (shown once), list live credentials, revoke. */
import { useState } from "preact/hooks";
import { fmtTime } from "../lib/format.ts";
import { CopyButton } from "../ui/markdown.tsx";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

interface TokenRow {
  id: string;
  name: string;
  kind: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt?: number;
}

export function Tokens({ client }: PageProps) {
  const list = useRequest<{ tokens?: TokenRow[] }>(client, "tokens.list");
  const [name, setName] = useState("");
  const [scope, setScope] = useState("read");
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [err, setErr] = useState<string>();
  if (list.unavailable) {
    return (
      <Page title="Tokens">
        <Unavailable method="tokens.list" what="Token management" />
      </Page>
    );
  }
  const create = async () => {
    setErr(undefined);
    try {
      const r = await client.request<{ name: string; token: string }>("tokens.create", {
        name: name.trim(),
        scopes: [scope],
      });
      setCreated(r);
      setName("");
      list.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  const revoke = async (id: string) => {
    if (!confirm(`Revoke ${id}? Clients using it are disconnected at once.`)) return;
    setErr(undefined);
    try {
      await client.request("tokens.revoke", { id });
    } catch (e) {
      setErr((e as Error).message);
    }
    list.reload();
  };
  return (
    <Page title="Tokens">
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void create();
        }}
      >
        <label>
          Name{" "}
          <input
            id="token-name"
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Scope{" "}
          <select
            id="token-scope"
            value={scope}
            onChange={(e) => setScope((e.target as HTMLSelectElement).value)}
          >
            <option value="read">read</option>
            <option value="write">write (+ read)</option>
            <option value="admin">admin (everything)</option>
          </select>
        </label>
        <button type="submit" class="primary" id="token-create" disabled={!name.trim()}>Create token</button>
      </form>
      {created && (
        <div class="notice" role="status" id="token-created">
          Token for <strong>{created.name}</strong> — shown once, copy it now:{" "}
          <code id="token-value">{created.token}</code> <CopyButton text={created.token} label="Copy token" />
          {" "}
          <button type="button" class="ghost" onClick={() => setCreated(undefined)}>Done</button>
        </div>
      )}
      <div class="table-wrap">
        <table id="tokens-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Kind</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.tokens ?? []).map((t) => (
              <tr key={t.id} data-token={t.id}>
                <td class="small">
                  <code>{t.id}</code>
                </td>
                <td>{t.name}</td>
                <td>{t.kind}</td>
                <td>{t.scopes.join(", ")}</td>
                <td>{fmtTime(t.createdAt)}</td>
                <td>{t.lastUsedAt ? fmtTime(t.lastUsedAt) : "—"}</td>
                <td>
                  {t.kind !== "gateway" && (
                    <button
                      type="button"
                      class="danger revoke"
                      onClick={() => revoke(t.id)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
