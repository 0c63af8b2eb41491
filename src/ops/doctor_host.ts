/** Checks of the host `talon doctor` runs on: the service manager, free disk, the clock. */
import { talonCommand } from "../core/cli_name.ts";
import type { DoctorResult } from "./doctor.ts";
import type { Check } from "./doctor_checks.ts";
import { fileMode } from "./findings.ts";
import { UNIT_NAME, unitPath } from "./systemd.ts";

/** The systemd unit is installed and enabled. */
export const checkService: Check = async ({ env, runner, unitFiles }) => {
  const candidates = unitFiles ?? [
    ...(env.HOME || env.XDG_CONFIG_HOME ? [{ scope: "user" as const, path: unitPath("user", env) }] : []),
    { scope: "system" as const, path: unitPath("system", env) },
  ];
  for (const { scope, path } of candidates) {
    if ((await fileMode(path)) === undefined) continue;
    try {
      const r = await runner("systemctl", [...(scope === "user" ? ["--user"] : []), "is-enabled", UNIT_NAME]);
      if (r.code === 0) {
        return [{ id: "service", status: "ok", what: `Service installed and enabled (${path})` }];
      }
      return [{
        id: "service",
        status: "warn",
        what: `Service unit ${path} is installed but not enabled (${r.stdout.trim() || r.stderr.trim()})`,
        why: "The gateway will not start after a reboot",
        fix: `systemctl ${scope === "user" ? "--user " : ""}enable --now ${UNIT_NAME}`,
      }];
    } catch {
      return [{
        id: "service",
        status: "ok",
        what: `Service unit installed (${path}); systemctl not available to check it`,
      }];
    }
  }
  return [{
    id: "service",
    status: "warn",
    what: "No systemd service is installed",
    why: "The gateway stops when you log out or the machine reboots",
    fix: talonCommand("service install"),
  }];
};

/** Free space on the state dir's file system, via `df -Pk`. */
export const checkDisk: Check = async ({ paths, runner }) => {
  let dir = paths.home;
  if ((await fileMode(dir)) === undefined) dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  let stdout: string;
  try {
    const r = await runner("df", ["-Pk", dir]);
    if (r.code !== 0) throw new Error(r.stderr);
    stdout = r.stdout;
  } catch {
    return [{ id: "disk", status: "skip", what: "Disk space not checked (df is not available)" }];
  }
  const fields = stdout.trim().split("\n").pop()?.trim().split(/\s+/) ?? [];
  const availKb = Number(fields[3]);
  if (!Number.isFinite(availKb)) {
    return [{ id: "disk", status: "skip", what: "Disk space not checked (df output not understood)" }];
  }
  const mb = Math.floor(availKb / 1024);
  if (mb >= 1024) {
    return [{ id: "disk", status: "ok", what: `${(mb / 1024).toFixed(1)} GiB free for ${dir}` }];
  }
  return [{
    id: "disk",
    status: mb < 100 ? "fail" : "warn",
    what: `Only ${mb} MiB free for ${dir}`,
    why: "When the disk fills, the store cannot write and messages are refused",
    fix: "Free space (old logs in <TALON_HOME>/logs, media) or move TALON_HOME to a larger disk",
  }];
};

/** The clock is plausible: not before 2025, not behind the state files' modification times. */
export const checkClock: Check = async ({ now, paths }) => {
  const t = now();
  const bad = (what: string): DoctorResult => ({
    id: "clock",
    status: "fail",
    what,
    why: "Cron schedules, cooldowns, token expiry and TLS certificate checks depend on the time",
    fix: "Enable time sync: timedatectl set-ntp true",
  });
  if (t < Date.UTC(2025, 0, 1)) {
    return [bad(`The clock says ${new Date(t).toISOString()}, which is in the past`)];
  }
  for (const f of [paths.dbFile, paths.configFile]) {
    try {
      const m = (await Deno.stat(f)).mtime?.getTime();
      if (m !== undefined && m > t + 5 * 60_000) {
        return [
          bad(
            `${f} was modified at ${new Date(m).toISOString()}, after the current time ${
              new Date(t).toISOString()
            }`,
          ),
        ];
      }
    } catch {
      // Not there yet.
    }
  }
  return [{ id: "clock", status: "ok", what: `Clock looks sane (${new Date(t).toISOString()})` }];
};
