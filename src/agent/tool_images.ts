/**
 * Images returned by tools (an MCP server's image content, a browser screenshot) for a vision model. The
 * transcript keeps only the file references of a tool result (`media`); before each model call of a run,
 * the images of this run's tool results are read back from those files — so a run resumed after a restart
 * rebuilds them the same way. Only the newest `media.maxImagesPerTurn` tool images of the run are sent,
 * each within `media.maxImageBytes`; the others stay what they always are for a model without vision: the
 * file path named in the tool's text.
 */
import type { Config } from "../config/schema.ts";
import { acceptsImages } from "../config/sections/providers.ts";
import type { Logger } from "../core/logger.ts";
import type { ImageInput } from "../providers/types.ts";
import type { TranscriptEntry } from "../store/transcripts.ts";
import { loadImage } from "./image_input.ts";

export interface ToolImages {
  /** Images by tool_result entry seq, for `toMessages`. Empty for a model without vision. */
  collect(entries: readonly TranscriptEntry[]): Promise<Map<number, ImageInput[]>>;
}

/** The tool images of run `runId` as the model `modelRef` (the first of the chain) should see them. */
export function createToolImages(deps: {
  config: Pick<Config, "models" | "media">;
  modelRef: string | undefined;
  runId: string;
  logger: Logger;
}): ToolImages {
  const vision = acceptsImages(deps.config.models, deps.modelRef);
  const { maxImageBytes, maxImagesPerTurn } = deps.config.media;
  // Each file is read once per run; a reason is kept for files that cannot be shown.
  const loaded = new Map<string, ImageInput | string>();

  return {
    async collect(entries) {
      const out = new Map<number, ImageInput[]>();
      if (!vision) return out;
      let budget = maxImagesPerTurn;
      for (let i = entries.length - 1; i >= 0 && budget > 0; i--) {
        const e = entries[i]!;
        if (e.kind !== "tool_result" || e.runId !== deps.runId || !e.content.media?.length) continue;
        const images: ImageInput[] = [];
        for (const ref of e.content.media) {
          if (budget <= 0) break;
          let image = loaded.get(ref.path);
          if (image === undefined) {
            const r = await loadImage(ref, maxImageBytes);
            image = "image" in r ? r.image : r.reason;
            loaded.set(ref.path, image);
            if (typeof image === "string") {
              deps.logger.warn("tool image not shown", {
                tool: e.content.name,
                path: ref.path,
                reason: image,
              });
            }
          }
          if (typeof image === "string") continue;
          images.push(image);
          budget--;
        }
        if (images.length) out.set(e.seq, images);
      }
      return out;
    },
  };
}
