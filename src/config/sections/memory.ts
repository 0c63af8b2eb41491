import { z } from "zod";

/** `memory`: search over the agent's MEMORY.md and memory/*.md (see src/memory/). */
export const memorySchema = z.strictObject({
  enabled: z.boolean().default(true)
    .describe("Offer memory_search/memory_get to owner sessions and index the memory files."),
  embedding: z.strictObject({
    provider: z.string().describe("Provider id (providers.<id>, an OpenAI-compatible embeddings API)."),
    model: z.string().min(1).describe("Embedding model, e.g. text-embedding-3-small or nomic-embed-text."),
    dimensions: z.number().int().min(8).max(4096).default(256)
      .describe("Vector size; sent to the API as `dimensions` when `sendDimensions` is on."),
    sendDimensions: z.boolean().default(true)
      .describe("Send `dimensions` in the request (OpenAI text-embedding-3-*); off for Ollama and others."),
    fallbacks: z.array(z.strictObject({ provider: z.string(), model: z.string().min(1) })).default([])
      .describe("Tried in order when the primary fails; must produce vectors of the same size."),
    batchSize: z.number().int().min(1).max(2048).default(64),
  }).optional().describe("Without it, memory search is keyword-only (bm25)."),
  includeTranscripts: z.boolean().default(false)
    .describe(
      "Also index past transcripts of the agent's owner-only sessions (never a session where anyone else ran a turn).",
    ),
  chunkTokens: z.number().int().min(50).max(4000).default(400),
  overlapTokens: z.number().int().min(0).max(1000).default(60),
  weights: z.strictObject({
    vector: z.number().min(0).default(0.6),
    keyword: z.number().min(0).default(0.4),
  }).prefault({}).describe("How vector and bm25 scores are merged in hybrid ranking."),
  recencyBoost: z.number().min(0).max(1).default(0.15)
    .describe("Extra score for daily notes (memory/YYYY-MM-DD.md), fading over recencyHalfLifeDays."),
  recencyHalfLifeDays: z.number().min(1).default(14),
  flushBeforeCompaction: z.boolean().default(true)
    .describe("Before compacting, give the model one silent turn to append what matters to today's note."),
}).prefault({});

export type MemoryConfig = z.infer<typeof memorySchema>;
