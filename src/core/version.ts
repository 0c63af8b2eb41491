/** Talon's version, shown by `talon version`, hello-ok and /metrics. */
export const VERSION = "0.1.0";
