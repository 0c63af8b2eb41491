/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Config: a form generated from the JSON Schema plus a raw JSON editor; validated before apply. */
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  assignIssues,
  type Field,
  getAt,
  isSecretPath,
  type JsonSchema,
  parseFieldInput,
  sectionsFromSchema,
  setAt,
  validateAll,
  validateField,
} from "../lib/schema_form.ts";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

type Raw = Record<string, unknown>;

function textOf(v: unknown, f: Field): string {
  if (v === undefined) return "";
  if (f.kind === "json") return JSON.stringify(v, null, 2);
  return String(v);
}

export function ConfigPage({ client }: PageProps) {
  const schemaReq = useRequest<{ schema: JsonSchema }>(client, "config.schema");
  const hasRaw = client.has("config.raw");
  const rawReq = useRequest<{ raw?: Raw; config?: Raw; path?: string }>(
    client,
    hasRaw ? "config.raw" : "config.get",
  );
  const applyMethod = client.has("config.apply")
    ? "config.apply"
    : client.has("config.set")
    ? "config.set"
    : undefined;
  const [draft, setDraft] = useState<Raw>({});
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [mode, setMode] = useState<"form" | "raw">("form");
  const [rawText, setRawText] = useState("");
  /** The raw text has been filled from the stored config (not only the empty draft). */
  const [rawFilled, setRawFilled] = useState(false);
  const [rawError, setRawError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  /** Sections saved but not yet in effect (they need a restart). */
  const [pending, setPending] = useState<string[]>([]);
  const [filter, setFilter] = useState("");

  const loadedRaw = rawReq.data?.raw ?? rawReq.data?.config;
  const dirty = !!loadedRaw &&
    (mode === "raw"
      ? rawText !== JSON.stringify(loadedRaw, null, 2)
      : JSON.stringify(draft) !== JSON.stringify(loadedRaw) || Object.keys(texts).length > 0 &&
          Object.keys(errors).length > 0);
  // Leaving with unsaved changes asks first: the browser for reloads/closing, the app's router for links.
  useEffect(() => {
    if (!dirty) return;
    document.body.dataset.unsaved = "config";
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener("beforeunload", warn);
    return () => {
      delete document.body.dataset.unsaved;
      removeEventListener("beforeunload", warn);
    };
  }, [dirty]);

  const sections = useMemo(() => (schemaReq.data ? sectionsFromSchema(schemaReq.data.schema) : []), [
    schemaReq.data,
  ]);
  useEffect(() => {
    const loaded = rawReq.data?.raw ?? rawReq.data?.config;
    if (!loaded) return;
    setDraft(loaded);
    setTexts({});
    setErrors({});
    setRawText(JSON.stringify(loaded, null, 2));
    setRawFilled(true);
  }, [rawReq.data]);

  const onField = (f: Field, text: string) => {
    setTexts((t) => ({ ...t, [f.path]: text }));
    setSaved(undefined);
    const parsed = parseFieldInput(f, text);
    const err = parsed.error ?? validateField(f, parsed.value);
    setErrors((e) => {
      const n = { ...e };
      if (err) n[f.path] = err;
      else delete n[f.path];
      return n;
    });
    if (!parsed.error) setDraft((d) => setAt(d, f.path, parsed.value));
  };

  const switchMode = (m: "form" | "raw") => {
    if (m === mode) return;
    if (m === "raw") setRawText(JSON.stringify(draft, null, 2));
    else {
      try {
        const parsed = JSON.parse(rawText);
        setDraft(parsed);
        setTexts({});
        setErrors(validateAll(sections, parsed));
        setRawError(undefined);
      } catch (e) {
        setRawError(`Not valid JSON: ${(e as Error).message}`);
        return;
      }
    }
    setMode(m);
  };

  const canRestart = client.has("gateway.restart");
  /** Restarts the gateway so that the saved config takes effect; the shell shows the banner meanwhile. */
  const restart = async () => {
    try {
      const r = await client.request<{ changed?: string[] }>("gateway.restart", {});
      setSaved(`Restarting the gateway${r.changed?.length ? ` to apply: ${r.changed.join(", ")}` : ""}…`);
      setPending([]);
    } catch (e) {
      setGeneral([(e as Error).message]);
    }
  };

  const apply = async (andRestart = false) => {
    // Before the stored config has loaded the draft is empty: saving it would wipe talon.json.
    if (!loadedRaw) return;
    setSaved(undefined);
    setGeneral([]);
    let raw = draft;
    if (mode === "raw") {
      try {
        raw = JSON.parse(rawText);
        setRawError(undefined);
      } catch (e) {
        setRawError(`Not valid JSON: ${(e as Error).message}`);
        return;
      }
    }
    const local = { ...validateAll(sections, raw), ...(mode === "form" ? errors : {}) };
    if (Object.keys(local).length) {
      setErrors(local);
      if (mode === "raw") setRawError(Object.entries(local).map(([p, m]) => `${p}: ${m}`).join("\n"));
      return;
    }
    if (client.has("config.validate")) {
      const r = await client.request<{ ok: boolean; issues: { path: string; message: string }[] }>(
        "config.validate",
        { raw },
      );
      if (!r.ok) {
        const { byField, general } = assignIssues(sections, r.issues);
        setErrors(byField);
        setGeneral(general);
        if (mode === "raw") {
          setRawError(r.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("\n"));
        }
        return;
      }
    }
    try {
      const r = await client.request<{ restartRequired?: boolean; path?: string; changed?: string[] }>(
        applyMethod!,
        { raw },
      );
      rawReq.reload();
      const needed = r?.restartRequired !== false;
      if (andRestart && needed) return await restart();
      setPending(needed ? r?.changed ?? ["(unknown)"] : []);
      setSaved(
        `Saved${r?.path ? ` to ${r.path}` : ""}.${
          !needed
            ? " Nothing to restart: the running gateway has this config already."
            : r?.changed?.length
            ? ` These changes take effect after a restart: ${r.changed.join(", ")}.`
            : " Restart the gateway to apply every change."
        }`,
      );
    } catch (e) {
      setGeneral([(e as Error).message]);
    }
  };

  if (schemaReq.unavailable) {
    return (
      <Page title="Config">
        <Unavailable method="config.schema" what="The config editor" />
      </Page>
    );
  }
  const q = filter.trim().toLowerCase();
  const groups = new Map<string, typeof sections>();
  // Sections with their own object first (gateway, logging, …); loose top-level fields last.
  for (const s of [...sections.filter((x) => x.path), ...sections.filter((x) => !x.path)]) {
    const top = s.path.split(".")[0] || "other";
    const fields = q
      ? s.fields.filter((f) =>
        f.path.toLowerCase().includes(q) || (f.description ?? "").toLowerCase().includes(q)
      )
      : s.fields;
    if (!fields.length) continue;
    groups.set(top, [...(groups.get(top) ?? []), { ...s, fields }]);
  }
  return (
    <Page
      title="Config"
      actions={
        <>
          <div class="seg" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={mode === "form"}
              class={mode === "form" ? "on" : ""}
              onClick={() => switchMode("form")}
            >
              Form
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode === "raw"}
              class={mode === "raw" ? "on" : ""}
              id="raw-tab"
              onClick={() => switchMode("raw")}
            >
              Raw JSON
            </button>
          </div>
          <button
            type="button"
            class="primary"
            id="config-apply"
            disabled={!applyMethod || !loadedRaw}
            onClick={() => void apply()}
          >
            Validate &amp; apply
          </button>
          {canRestart && (
            <button
              type="button"
              id="config-apply-restart"
              disabled={!applyMethod || !loadedRaw}
              title="Save, then restart the gateway if the changes need it"
              onClick={() => void apply(true)}
            >
              Apply and restart
            </button>
          )}
        </>
      }
    >
      {!applyMethod && <Unavailable method="config.apply" what="Saving the config" />}
      {!hasRaw && (
        <p class="muted small">
          This gateway does not offer{" "}
          <code>config.raw</code>; the form shows the effective config (defaults included, secrets redacted).
        </p>
      )}
      {rawReq.data?.path && (
        <p class="muted small">
          Editing <code>{rawReq.data.path}</code>. Write <code>{"${ENV_VAR}"}</code> for secrets.
        </p>
      )}
      <ErrorLine error={schemaReq.error ?? rawReq.error} />
      {general.map((g) => <div key={g} class="error" role="alert">{g}</div>)}
      {saved && (
        <div class="notice" role="status" id="config-saved">
          {saved}
          {canRestart && pending.length > 0 && (
            <>
              {" "}
              <button type="button" id="config-restart" onClick={() => void restart()}>Restart now</button>
            </>
          )}
        </div>
      )}
      {dirty && (
        <div class="notice warn" role="status" id="config-unsaved">
          Unsaved changes — Apply to save them. Secrets are shown as{" "}
          <code>[redacted]</code>; leave them as they are to keep the stored value.
        </div>
      )}
      {mode === "raw"
        ? (
          <div class="raw-editor">
            <textarea
              id="config-raw"
              spellcheck={false}
              data-loaded={loadedRaw && rawFilled ? "true" : undefined}
              value={rawText}
              onInput={(e) => setRawText((e.target as HTMLTextAreaElement).value)}
            />
            {rawError && <pre class="error" role="alert" id="raw-error">{rawError}</pre>}
          </div>
        )
        : (
          <div class="config-form">
            <input
              class="filter"
              aria-label="Filter settings"
              placeholder="Filter settings…"
              value={filter}
              onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
            />
            {[...groups].map(([top, secs], i) => (
              <details class="group" open={i === 0 || !!q} data-group={top}>
                <summary>{top}</summary>
                {secs.map((s) => (
                  <fieldset>
                    {s.path !== top && <legend>{s.path}</legend>}
                    {s.fields.map((f) => (
                      <FieldInput
                        field={f}
                        text={texts[f.path] ?? textOf(getAt(draft, f.path), f)}
                        error={errors[f.path]}
                        onText={(t) => onField(f, t)}
                      />
                    ))}
                  </fieldset>
                ))}
              </details>
            ))}
          </div>
        )}
    </Page>
  );
}

function FieldInput(props: { field: Field; text: string; error?: string; onText(t: string): void }) {
  const f = props.field;
  const id = `f-${f.path.replace(/[^a-zA-Z0-9]+/g, "-")}`;
  const placeholder = f.default !== undefined && typeof f.default !== "object"
    ? `default: ${String(f.default)}`
    : "";
  const common = {
    id,
    "aria-invalid": props.error ? (true as const) : (false as const),
    "aria-describedby": props.error ? `${id}-err` : undefined,
  };
  let input;
  if (f.kind === "boolean") {
    const checked = props.text === "" ? f.default === true : props.text === "true";
    input = (
      <input
        {...common}
        type="checkbox"
        checked={checked}
        onChange={(e) => props.onText(String((e.target as HTMLInputElement).checked))}
      />
    );
  } else if (f.kind === "enum") {
    input = (
      <select
        {...common}
        value={props.text}
        onChange={(e) => props.onText((e.target as HTMLSelectElement).value)}
      >
        <option value="">{placeholder || "(unset)"}</option>
        {f.options!.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  } else if (f.kind === "json") {
    input = (
      <textarea
        {...common}
        rows={Math.min(8, Math.max(2, props.text.split("\n").length))}
        spellcheck={false}
        placeholder={f.default !== undefined ? JSON.stringify(f.default) : ""}
        value={props.text}
        onInput={(e) => props.onText((e.target as HTMLTextAreaElement).value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type={isSecretPath(f.path) ? "password" : "text"}
        inputMode={f.kind === "integer" || f.kind === "number" ? "numeric" : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder={placeholder}
        value={props.text}
        onInput={(e) => props.onText((e.target as HTMLInputElement).value)}
      />
    );
  }
  return (
    <div class={`field ${props.error ? "invalid" : ""}`} data-path={f.path}>
      <label for={id}>{f.label}</label>
      {input}
      {props.error && <div class="field-error" id={`${id}-err`} role="alert">{props.error}</div>}
      {f.description && <div class="help">{f.description}</div>}
    </div>
  );
}
