/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Tools: the tools an agent's run gets for each principal (`tools.effective`: profile, allow/deny, each
 * tool and why not, the outer permission bound), exec approval patterns, skills and MCP servers.
 */
import { ApprovalPatterns } from "../ui/approval_patterns.tsx";
import { Badge, ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

interface Effective {
  agents: string[];
  agentId: string;
  profile: string;
  allow: string[];
  deny: string[];
  byPrincipal?: { profile?: string; allow: string[]; deny: string[] };
  capabilities: { ownerOnlyTools: boolean; workspace: string; approve: boolean };
  tools: { name: string; group: string; allowed: boolean; reason?: string }[];
  mcp: { server: string; allowed: boolean; reason?: string }[];
  exec: { ask: string; sandbox: string; confine: string };
  bound: { outerBound: unknown; described: string };
}

/** The principals a person picks from, in the words the README uses. */
export const PRINCIPALS: readonly [string, string][] = [
  ["owner", "Owner"],
  ["user", "Paired user"],
  ["group", "Group member"],
  ["hook", "Hook caller"],
  ["api", "API client"],
  ["cron", "Cron job"],
  ["system", "System"],
];

const list = (xs: readonly string[] | undefined) => xs?.length ? xs.join(", ") : "none";

export function Tools({ client, query, nav }: PageProps) {
  const agent = query.get("agent") ?? "";
  const principal = query.get("principal") ?? "owner";
  const eff = useRequest<Effective>(
    client,
    "tools.effective",
    { principal, ...(agent ? { agentId: agent } : {}) },
    `${agent}|${principal}`,
  );
  const e = eff.data;
  const agentId = agent || e?.agentId || "";
  const pick = (a: string, p: string) =>
    nav(`/tools?agent=${encodeURIComponent(a)}&principal=${encodeURIComponent(p)}`);
  return (
    <Page title="Tools">
      {eff.unavailable
        ? <Unavailable method="tools.effective" what="Effective tools" />
        : (
          <section aria-labelledby="effective-title">
            <h2 id="effective-title">Effective tools</h2>
            <form class="row" onSubmit={(ev) => ev.preventDefault()}>
              <label>
                Agent{" "}
                <select
                  id="tools-agent"
                  value={agentId}
                  onChange={(ev) => pick((ev.target as HTMLSelectElement).value, principal)}
                >
                  {(e?.agents ?? [agentId]).map((a) => <option key={a} value={a}>{a}</option>)}
                </select>
              </label>
              <label>
                Principal{" "}
                <select
                  id="tools-principal"
                  value={principal}
                  onChange={(ev) => pick(agentId, (ev.target as HTMLSelectElement).value)}
                >
                  {PRINCIPALS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
                </select>
              </label>
            </form>
            <ErrorLine error={eff.error} code={eff.errorCode} />
            {e && (
              <dl class="kv" id="tools-policy">
                <dt>Profile</dt>
                <dd id="tools-profile">{e.profile}</dd>
                <dt>Allow</dt>
                <dd>{list(e.allow)}</dd>
                <dt>Deny</dt>
                <dd>{list(e.deny)}</dd>
                {e.byPrincipal && (
                  <>
                    <dt>tools.byPrincipal</dt>
                    <dd>
                      {e.byPrincipal.profile ? `profile ${e.byPrincipal.profile}; ` : ""}allow{" "}
                      {list(e.byPrincipal.allow)}; deny {list(e.byPrincipal.deny)}
                    </dd>
                  </>
                )}
                <dt>Files</dt>
                <dd>
                  {e.capabilities.workspace === "agent"
                    ? "the agent's workspace"
                    : "a scratch folder of the session"}
                </dd>
                <dt>Exec</dt>
                <dd>ask {e.exec.ask}, sandbox {e.exec.sandbox}, OS confinement {e.exec.confine}</dd>
                <dt>Outer bound</dt>
                <dd id="tools-bound">
                  {e.bound.outerBound
                    ? <code>{e.bound.described}</code>
                    : "none set (each call gets its tool policy, within the gateway's own permissions)"}
                </dd>
              </dl>
            )}
            <div class="table-wrap">
              <table id="tools-table">
                <thead>
                  <tr>
                    <th>Tool</th>
                    <th>Group</th>
                    <th>For this principal</th>
                    <th>Why not</th>
                  </tr>
                </thead>
                <tbody>
                  {(e?.tools ?? []).map((t) => (
                    <tr key={t.name} data-tool={t.name} data-allowed={String(t.allowed)}>
                      <td>
                        <code class="name">{t.name}</code>
                      </td>
                      <td class="small">{t.group}</td>
                      <td>
                        {t.allowed ? <Badge tone="ok">allowed</Badge> : <Badge tone="err">not allowed</Badge>}
                      </td>
                      <td class="small">{t.reason ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      <ApprovalPatterns client={client} />
      <Skills client={client} agentId={agentId} />
      <McpServers client={client} effective={e?.mcp ?? []} />
    </Page>
  );
}

interface SkillRow {
  name: string;
  description: string;
  source: string;
  available: boolean;
  reasons: string[];
}

function Skills(props: { client: PageProps["client"]; agentId: string }) {
  const skills = useRequest<{ skills?: SkillRow[] }>(
    props.client,
    props.agentId ? "skills.list" : undefined,
    { agentId: props.agentId },
    props.agentId,
  );
  if (skills.unavailable) return <Unavailable method="skills.list" what="Skills" />;
  const rows = skills.data?.skills ?? [];
  return (
    <section aria-labelledby="skills-title">
      <h2 id="skills-title">Skills of {props.agentId || "…"}</h2>
      <ErrorLine error={skills.error} code={skills.errorCode} />
      <div class="table-wrap">
        <table id="skills-table">
          <thead>
            <tr>
              <th>Skill</th>
              <th>Source</th>
              <th>State</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.name} data-skill={s.name}>
                <td>{s.name}</td>
                <td class="small">{s.source}</td>
                <td>
                  {s.available ? <Badge tone="ok">available</Badge> : <Badge tone="warn">unavailable</Badge>}
                  {!s.available && <span class="small">{` ${s.reasons.join("; ")}`}</span>}
                </td>
                <td class="small">{s.description}</td>
              </tr>
            ))}
            {rows.length === 0 && !skills.loading && (
              <tr>
                <td colSpan={4} class="muted">No skills installed.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface McpRow {
  id: string;
  transport: string;
  state: string;
  tools: number;
  lastError?: string;
}

function McpServers(props: { client: PageProps["client"]; effective: Effective["mcp"] }) {
  const mcp = useRequest<{ servers?: McpRow[] }>(props.client, "mcp.list");
  if (mcp.unavailable) return <Unavailable method="mcp.list" what="MCP servers" />;
  const rows = mcp.data?.servers ?? [];
  return (
    <section aria-labelledby="mcp-title">
      <h2 id="mcp-title">MCP servers</h2>
      <ErrorLine error={mcp.error} code={mcp.errorCode} />
      <div class="table-wrap">
        <table id="mcp-table">
          <thead>
            <tr>
              <th>Server</th>
              <th>Transport</th>
              <th>State</th>
              <th>Tools</th>
              <th>For this principal</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const eff = props.effective.find((m) => m.server === s.id);
              return (
                <tr key={s.id} data-mcp={s.id}>
                  <td>{s.id}</td>
                  <td>{s.transport}</td>
                  <td>
                    <Badge tone={s.state === "ready" ? "ok" : s.state === "failed" ? "err" : "muted"}>
                      {s.state}
                    </Badge>
                    {s.lastError && <span class="small">{` ${s.lastError}`}</span>}
                  </td>
                  <td>{s.tools}</td>
                  <td class="small">{eff ? (eff.allowed ? "allowed" : eff.reason) : "—"}</td>
                </tr>
              );
            })}
            {rows.length === 0 && !mcp.loading && (
              <tr>
                <td colSpan={5} class="muted">No MCP servers configured (mcp.servers).</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
