/** @jsxImportSource preact */
/// <reference lib="dom" />
/** The chat composer: labelled input, slash-command suggestions, text and image attachments, send/stop. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type ImageAttachment, MESSAGE_BUDGET, readImage } from "./image_attach.ts";

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

/** Text files are inlined into the message, up to this size each. */
const MAX_ATTACHMENT = 100_000;
/** Images per message (the gateway's media.maxImagesPerTurn default). */
const MAX_IMAGES = 4;

const isTextFile = (file: File) =>
  file.type.startsWith("text/") || file.type === "application/json" ||
  /\.(md|txt|json|csv|ts|tsx|js|py|log|ya?ml|toml|sh|html|css|xml)$/i.test(file.name);

/** An attached file, with a button to remove it. */
function Chip({ name, onRemove, children }: { name: string; onRemove(): void; children: ComponentChildren }) {
  return (
    <span class="chip">
      {children}
      <button type="button" class="ghost" aria-label={`Remove ${name}`} onClick={onRemove}>×</button>
    </span>
  );
}

export interface ComposerProps {
  canSend: boolean;
  running: boolean;
  onSend(text: string, images: ImageAttachment[]): void;
  onStop(): void;
  onError(message: string | undefined): void;
}

export function Composer({ canSend, running, onSend, onStop, onError }: ComposerProps) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Attachment[]>([]);
  const [images, setImages] = useState<ImageAttachment[]>([]);

  const send = () => {
    const body = text.trim();
    if (!body && files.length === 0 && images.length === 0) return;
    const inline = files.map((f) => `\n\n--- ${f.name} ---\n${f.text}`).join("");
    setText("");
    setFiles([]);
    setImages([]);
    onSend((body + inline).trim(), images);
  };

  const attach = async (picked: File[]) => {
    const pictures = picked.filter((f) => f.type.startsWith("image/"));
    const texts = picked.filter((f) => !pictures.includes(f));
    const refused = texts.filter((f) => !isTextFile(f) || f.size > MAX_ATTACHMENT).map((f) => f.name);
    const read = await Promise.all(
      texts.filter((f) => !refused.includes(f.name))
        .map(async (f) => ({ name: f.name, size: f.size, text: await f.text() })),
    );
    const added: ImageAttachment[] = [];
    let total = images.reduce((n, i) => n + i.size, 0);
    for (const f of pictures) {
      try {
        const img = await readImage(f);
        if (images.length + added.length >= MAX_IMAGES) {
          refused.push(`${f.name} (at most ${MAX_IMAGES} images)`);
        } else if (total + img.size > MESSAGE_BUDGET) {
          refused.push(`${f.name} (too large together with the others)`);
        } else {
          added.push(img);
          total += img.size;
        }
      } catch (err) {
        refused.push(`${f.name} (${(err as Error).message})`);
      }
    }
    onError(
      refused.length
        ? `Not attached: ${refused.join(", ")}. Text files up to 100 KB are sent with the message; ` +
          `images (JPEG, PNG, GIF, WebP; larger photos are downscaled) up to ${MAX_IMAGES} per message.`
        : undefined,
    );
    setFiles((cur) => [...cur, ...read]);
    setImages((cur) => [...cur, ...added]);
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
      {files.length + images.length > 0 && (
        <div class="files">
          {images.map((f) => (
            <Chip name={f.name} onRemove={() => setImages(images.filter((x) => x !== f))}>
              <img src={`data:${f.mimeType};base64,${f.content}`} alt="" width={24} height={24} />
              {f.name} ({Math.ceil(f.size / 1024)} KB{f.resized ? ", resized" : ""})
            </Chip>
          ))}
          {files.map((f) => (
            <Chip name={f.name} onRemove={() => setFiles(files.filter((x) => x !== f))}>
              {f.name} ({Math.ceil(f.size / 1024)} KB)
            </Chip>
          ))}
        </div>
      )}
      <div class="composer-row">
        <label class="attach" title="Attach images or text files">
          <span aria-hidden="true">+</span>
          <input
            type="file"
            id="chat-attach"
            multiple
            accept="image/*,text/*,.md,.txt,.json,.csv,.ts,.tsx,.js,.py,.log,.yml,.yaml,.toml,.sh,.html,.css,.xml"
            aria-label="Attach images or text files"
            onChange={async (e) => {
              const input = e.target as HTMLInputElement;
              const picked = [...(input.files ?? [])];
              input.value = "";
              await attach(picked);
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
