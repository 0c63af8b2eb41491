import { redactText, redactValue } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields of a log line. `runId` and `sessionKey` are carried whenever there is one. */
export interface LogFields {
  runId?: string;
  sessionKey?: string;
  [key: string]: unknown;
}

export interface LogRecord extends LogFields {
  ts: string;
  level: LogLevel;
  msg: string;
}

/** A place log records go to. */
export interface LogSink {
  write(record: LogRecord): void;
  close?(): void;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sinks: LogSink[];
  now?: () => number;
}

/** Creates a logger writing redacted records to every sink. */
export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const record = redactValue({
      ts: new Date(now()).toISOString(),
      level,
      msg: redactText(msg),
      ...base,
      ...fields,
    }) as LogRecord;
    for (const sink of options.sinks) {
      try {
        sink.write(record);
      } catch {
        // A failing sink must never take the process down.
      }
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ sinks: [] });

/** Human-readable console output on stderr: `12:00:01 info  message key=value`. */
export function consoleSink(write: (line: string) => void = (l) => console.error(l)): LogSink {
  return {
    write(record) {
      const { ts, level, msg, ...rest } = record;
      const extras = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      write(`${ts.slice(11, 19)} ${level.padEnd(5)} ${msg}${extras ? " " + extras : ""}`);
    },
  };
}

/** Collects records in memory (tests, `logs.tail` fallbacks). */
export function memorySink(limit = 1000): LogSink & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    write(record) {
      records.push(record);
      if (records.length > limit) records.shift();
    },
  };
}
