/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Agents: each agent's model chain, tool profile and workspace; its prompt files (AGENTS.md, SOUL.md,
 * USER.md, MEMORY.md, HEARTBEAT.md) viewed and edited with a diff before saving (admin only).
 */
import { useEffect, useState } from "preact/hooks";
import { lineDiff } from "../lib/line_diff.ts";
import { isAdmin } from "../ui/approval_card.tsx";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

interface AgentInfo {
  id: string;
  name: string;
  models: string[];
  tools: { profile: string; allow: string[]; deny: string[] };
  workspace: string;
  files: string[];
}

export function Agents({ client, query, nav }: PageProps) {
  const list = useRequest<{ agents?: AgentInfo[]; defaultAgent?: string }>(client, "ui.agents");
  const agents = list.data?.agents ?? [];
  const agentId = query.get("agent") ?? list.data?.defaultAgent ?? agents[0]?.id ?? "";
  const [file, setFile] = useState("AGENTS.md");
  if (list.unavailable) {
    return (
      <Page title="Agents">
        <Unavailable method="ui.agents" what="The agent list" />
      </Page>
    );
  }
  return (
    <Page title="Agents">
      <ErrorLine error={list.error} code={list.errorCode} />
      <div class="table-wrap">
        <table id="agents-table">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Models (in order)</th>
              <th>Tool profile</th>
              <th>Workspace</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id} data-agent={a.id} class={a.id === agentId ? "selected" : ""}>
                <td>
                  <a
                    href={`/agents?agent=${encodeURIComponent(a.id)}`}
                    onClick={(e) => (e.preventDefault(), nav(`/agents?agent=${encodeURIComponent(a.id)}`))}
                  >
                    {a.name === a.id ? a.id : `${a.name} (${a.id})`}
                  </a>
                </td>
                <td class="small">{a.models.join(" → ") || "none"}</td>
                <td class="small">
                  {a.tools.profile}
                  {a.tools.allow.length > 0 && ` +${a.tools.allow.join(", +")}`}
                  {a.tools.deny.length > 0 && ` −${a.tools.deny.join(", −")}`}
                </td>
                <td class="small">
                  <code>{a.workspace}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {agentId && (
        <>
          <h2>Prompt files of {agentId}</h2>
          <div class="segmented" role="tablist" aria-label="Workspace files">
            {(agents.find((a) => a.id === agentId)?.files ?? ["AGENTS.md"]).map((f) => (
              <button
                type="button"
                role="tab"
                key={f}
                aria-selected={f === file}
                class={f === file ? "primary" : ""}
                data-file={f}
                onClick={() => setFile(f)}
              >
                {f}
              </button>
            ))}
          </div>
          <FileEditor key={`${agentId}/${file}`} client={client} agentId={agentId} file={file} />
        </>
      )}
    </Page>
  );
}

function FileEditor(props: { client: PageProps["client"]; agentId: string; file: string }) {
  const { client, agentId, file } = props;
  const got = useRequest<{ content: string; exists: boolean }>(client, "agents.files.get", { agentId, file });
  const [text, setText] = useState<string>();
  const [review, setReview] = useState(false);
  const [msg, setMsg] = useState<string>();
  const [err, setErr] = useState<string>();
  useEffect(() => setText(got.data?.content), [got.data]);
  const admin = isAdmin(client);
  const original = got.data?.content ?? "";
  const changed = text !== undefined && text !== original;
  const save = async () => {
    setErr(undefined);
    try {
      await client.request("agents.files.set", { agentId, file, content: text ?? "" });
      setMsg(`Saved ${file}.`);
      setReview(false);
      got.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return (
    <div class="file-editor">
      <ErrorLine error={got.error ?? err} code={got.errorCode} />
      {got.data && !got.data.exists && <p class="muted">{file} does not exist yet; saving creates it.</p>}
      <label for="agent-file" class="sr-only">{file}</label>
      <textarea
        id="agent-file"
        rows={14}
        value={text ?? ""}
        readOnly={!admin}
        // Until the file is loaded there is nothing to edit: typing then would be overwritten by the load.
        disabled={text === undefined && !got.error}
        data-loaded={text === undefined ? undefined : "true"}
        spellcheck={false}
        onInput={(
          e,
        ) => (setText((e.target as HTMLTextAreaElement).value), setMsg(undefined), setReview(false))}
      />
      {review && (
        <pre class="diff" id="agent-file-diff" aria-label="Changes">
          {lineDiff(original, text ?? "").filter((l) => l.op !== " ").map((l) => (
            <div class={l.op === "+" ? "add" : "del"}>{l.op} {l.text}</div>
          ))}
        </pre>
      )}
      <div class="buttons">
        {admin
          ? !review
            ? (
              <button
                type="button"
                id="agent-file-review"
                disabled={!changed}
                onClick={() => setReview(true)}
              >
                Review changes
              </button>
            )
            : <button type="button" class="primary" id="agent-file-save" onClick={save}>Save {file}</button>
          : <span class="muted">Only an admin connection can change prompt files.</span>}
        {msg && <span class="notice" role="status" id="agent-file-saved">{msg}</span>}
      </div>
    </div>
  );
}
