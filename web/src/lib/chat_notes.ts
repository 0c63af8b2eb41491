/**
 * Slash-command replies are not part of the transcript (the gateway answers them without the model), so
 * the chat keeps them in this browser as local notes, per session key, to show them again after a reload.
 */
import type { ChatItem } from "./chat_model.ts";

const PREFIX = "talon.notes.";
const MAX_NOTES = 40;

/** The notes kept for a session (oldest first). */
export function loadNotes(store: Pick<Storage, "getItem">, sessionKey: string): ChatItem[] {
  try {
    const raw = JSON.parse(store.getItem(PREFIX + sessionKey) ?? "[]");
    return Array.isArray(raw) ? raw.filter((n) => n && typeof n.text === "string") : [];
  } catch {
    return [];
  }
}

/** Keeps a command and its reply (the newest MAX_NOTES items per session). */
export function saveNote(
  store: Pick<Storage, "getItem" | "setItem">,
  sessionKey: string,
  note: { runId: string; command: string; reply: string; ts: number },
): ChatItem[] {
  const cur = loadNotes(store, sessionKey).filter((n) => n.runId !== note.runId);
  const user: ChatItem = {
    key: `n:${note.runId}:u`,
    role: "user",
    text: note.command,
    runId: note.runId,
    ts: note.ts,
    tools: [],
    local: true,
  };
  const reply: ChatItem = {
    key: `n:${note.runId}:a`,
    role: "assistant",
    text: note.reply,
    runId: note.runId,
    ts: note.ts + 1,
    state: "final",
    tools: [],
    local: true,
  };
  const next = [...cur, user, reply].slice(-MAX_NOTES);
  try {
    store.setItem(PREFIX + sessionKey, JSON.stringify(next));
  } catch { /* storage full or refused: the note lives until reload */ }
  return next;
}
