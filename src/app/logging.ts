import type { Config } from "../config/schema.ts";
import type { TalonPaths } from "../config/paths.ts";
import { fileSink } from "../core/log_file.ts";
import { consoleSink, createLogger, type Logger, type LogSink } from "../core/logger.ts";

/** Builds the process logger from config: console (readable) and/or the rotating JSON-lines file. */
export function createProcessLogger(config: Readonly<Config>, paths: TalonPaths): {
  logger: Logger;
  logFile?: string;
  close(): void;
} {
  const sinks: LogSink[] = [];
  let logFile: string | undefined;
  if (config.logging.console) sinks.push(consoleSink());
  if (config.logging.file) {
    const file = fileSink({
      dir: paths.logsDir,
      maxBytes: config.logging.maxFileBytes,
      maxFiles: config.logging.maxFiles,
    });
    logFile = file.path;
    sinks.push(file);
  }
  return {
    logger: createLogger({ level: config.logging.level, sinks }),
    logFile,
    close: () => sinks.forEach((s) => s.close?.()),
  };
}
