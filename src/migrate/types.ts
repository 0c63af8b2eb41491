/** Shapes shared by the OpenClaw importer: what it found, what it will write, what it left behind. */
import { TalonError, type TalonErrorOptions } from "../core/errors.ts";

/** The import cannot go on (source unreadable, invalid JSON5, files in the way without --force). */
export class ImportError extends TalonError {
  override name = "ImportError";
  constructor(message: string, options: TalonErrorOptions = {}) {
    super("INVALID_REQUEST", message, options);
  }
}

/** Something from the source that has no Talon equivalent (yet), with the reason, for the report. */
export interface Unmapped {
  /** Where it was: a config key path (`channels.whatsapp`) or a file below the state dir. */
  path: string;
  reason: string;
}

/** A file the import writes below TALON_HOME. */
export interface PlannedFile {
  /** Absolute destination path. */
  path: string;
  /** What it is, for the plan printout. */
  kind: "config" | "workspace" | "import";
  content: string | Uint8Array;
  /** Where it came from (absolute path), when it is a copy. */
  from?: string;
}

/** Everything `talon import openclaw` will do. Building it touches nothing; applying it writes the files. */
export interface ImportPlan {
  /** The OpenClaw state directory read. */
  source: string;
  /** TALON_HOME written to. */
  home: string;
  /** talon.json as it will be written (with `${ENV}` references kept). */
  config: Record<string, unknown>;
  files: PlannedFile[];
  unmapped: Unmapped[];
  /** Things that were mapped but need the user's attention (plaintext secrets, env vars to set). */
  warnings: string[];
  /** Environment variables the new talon.json refers to. */
  envRefs: string[];
  /** Counts for the summary line. */
  summary: {
    providers: number;
    agents: number;
    channelAccounts: number;
    pairings: number;
    cronJobs: number;
    workspaceFiles: number;
  };
}

/** A JSON-like object. */
export type Obj = Record<string, unknown>;

/** True for a plain (non-array) object. */
export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
