/** @jsxImportSource preact */
/// <reference lib="dom" />
/** The chat composer: labelled input, slash-command suggestions, text attachments, send/stop. */
import { useState } from "preact/hooks";

const COMMANDS = [
  ["/new", "start a new session"],
  ["/reset", "reset this session"],
  ["/status", "session status"],
  ["/model", "show or set the model"],
  ["/stop", "stop the current run"],
  ["/compact", "summarise older history"],
  ["/help", "list commands"],
] as const;

/** A text file attached to the next message; its content is sent inline with the text. */
interface Attachment {
  name: string;
  size: number;
  text: string;
}

/** chat.send takes text only, so attachments are text files up to this size, inlined. */
const MAX_ATTACHMENT = 100_000;

const isTextFile = (file: File) =>
  file.type.startsWith("text/") || file.type === "application/json" ||
  /\.(md|txt|json|csv|ts|tsx|js|py|log|ya?ml|toml|sh|html|css|xml)$/i.test(file.name);

export interface ComposerProps {
  canSend: boolean;
  running: boolean;
  onSend(text: string): void;
  onStop(): void;
  onError(message: string | undefined): void;
}

export function Composer({ canSend, running, onSend, onStop, onError }: ComposerProps) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Attachment[]>([]);

  const send = () => {
    const body = text.trim();
    if (!body && files.length === 0) return;
    const inline = files.map((f) => `\n\n--- ${f.name} ---\n${f.text}`).join("");
    setText("");
    setFiles([]);
    onSend((body + inline).trim());
  };

  const suggestions = text.startsWith("/") && !text.includes(" ")
    ? COMMANDS.filter(([c]) => c.startsWith(text.toLowerCase()))
    : [];

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {suggestions.length > 0 && (
        <ul class="suggest" aria-label="Commands">
          {suggestions.map(([c, d]) => (
            <li>
              <button type="button" class="ghost" onClick={() => setText(c + " ")}>
                <code>{c}</code> <span class="muted">{d}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <div class="files">
          {files.map((f) => (
            <span class="chip">
              {f.name} ({Math.ceil(f.size / 1024)} KB)
              <button
                type="button"
                class="ghost"
                aria-label={`Remove ${f.name}`}
                onClick={() => setFiles(files.filter((x) => x !== f))}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <div class="composer-row">
        <label class="attach" title="Attach text files">
          <span aria-hidden="true">+</span>
          <input
            type="file"
            id="chat-attach"
            multiple
            aria-label="Attach text files"
            onChange={async (e) => {
              const input = e.target as HTMLInputElement;
              const picked = [...(input.files ?? [])];
              const refused = picked.filter((f) => !isTextFile(f) || f.size > MAX_ATTACHMENT);
              onError(
                refused.length
                  ? `Not attached: ${
                    refused.map((f) => f.name).join(", ")
                  } (only text files up to 100 KB; their content is sent with the message)`
                  : undefined,
              );
              const ok = picked.filter((f) => !refused.includes(f));
              const read = await Promise.all(
                ok.map(async (f) => ({ name: f.name, size: f.size, text: await f.text() })),
              );
              setFiles((cur) => [...cur, ...read]);
              input.value = "";
            }}
          />
        </label>
        <label for="chat-input" class="sr-only">Message</label>
        <textarea
          id="chat-input"
          rows={2}
          placeholder="Message, or /command"
          value={text}
          disabled={!canSend}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send();
            }
          }}
        />
        {running
          ? <button type="button" class="danger" id="stop" onClick={onStop}>Stop</button>
          : <button type="submit" class="primary" id="send" disabled={!canSend}>Send</button>}
      </div>
    </form>
  );
}
