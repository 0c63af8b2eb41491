/** `message`: sends text (and media from the workspace) to a channel target through the outbox. */
import { z } from "zod";
import { defineTool } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import type { MessageSender } from "./ports.ts";

const input = z.strictObject({
  channel: z.string().min(1).describe("Channel, e.g. telegram, discord, whatsapp."),
  to: z.string().min(1).describe("Target chat/user/channel id on that channel."),
  text: z.string().min(1).max(20_000),
  accountId: z.string().optional(),
  media: z.array(z.string()).max(10).optional().describe("Workspace files to attach."),
});

/** Creates the `message` tool. */
export function createMessageTool(deps: { sender: MessageSender }) {
  return defineTool({
    name: "message",
    description: "Send a message (text, optional workspace files) to a chat on a channel.",
    group: "messaging",
    input,
    async run(i, ctx) {
      const media: string[] = [];
      for (const m of i.media ?? []) {
        const r = await resolveWorkspacePath(ctx.workspace, m, "attach");
        media.push(r.path);
      }
      const r = await deps.sender.send({
        channel: i.channel,
        to: i.to,
        text: i.text,
        accountId: i.accountId,
        media: media.length ? media : undefined,
        runId: ctx.runId,
      });
      return { content: `Queued message ${r.id} to ${i.channel}:${i.to}`, data: r };
    },
  });
}
