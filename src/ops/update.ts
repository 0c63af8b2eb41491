/**
 * `talon update`: asks the release feed for the latest version and says what to do. Nothing here runs
 * unless the user asks (no check at startup); the feed URL is configurable (GitHub's releases API by default).
 */
import { talonCommand } from "../core/cli_name.ts";
import { TalonError } from "../core/errors.ts";

/** The GitHub repository releases are published to (also the default of scripts/install.sh). */
export const RELEASE_REPO = "talon-gateway/talon";
export const DEFAULT_RELEASE_URL = `https://api.github.com/repos/${RELEASE_REPO}/releases/latest`;
export const INSTALL_SCRIPT_URL = `https://raw.githubusercontent.com/${RELEASE_REPO}/main/scripts/install.sh`;

/** Targets the release workflow builds, as `deno compile --target` names them. */
export const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

export interface ReleaseAsset {
  name: string;
  url: string;
}

export interface ReleaseInfo {
  tag: string;
  /** The tag without its leading `v`. */
  version: string;
  pageUrl?: string;
  assets: ReleaseAsset[];
}

/** The release feed could not be read or made no sense. */
export class UpdateCheckError extends TalonError {
  override name = "UpdateCheckError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("UNAVAILABLE", message, options);
  }
}

/** Fetches the latest release (GitHub releases API shape: tag_name, html_url, assets[]). */
export async function fetchLatestRelease(
  opts: { url?: string; timeoutMs?: number; userAgent?: string } = {},
): Promise<ReleaseInfo> {
  const url = opts.url ?? DEFAULT_RELEASE_URL;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "application/vnd.github+json", "user-agent": opts.userAgent ?? "talon-update" },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new UpdateCheckError(`Cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new UpdateCheckError(`${url} answered HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new UpdateCheckError(`${url} did not answer JSON`, { cause: err });
  }
  return parseRelease(body, url);
}

/** Reads a GitHub release object. */
export function parseRelease(body: unknown, from = "the release feed"): ReleaseInfo {
  const b = body as { tag_name?: unknown; html_url?: unknown; assets?: unknown } | null;
  if (!b || typeof b !== "object" || typeof b.tag_name !== "string") {
    throw new UpdateCheckError(`${from}: no tag_name in the answer`);
  }
  const version = b.tag_name.replace(/^v/, "");
  if (!parseVersion(version)) throw new UpdateCheckError(`${from}: "${b.tag_name}" is not a version`);
  const assets = Array.isArray(b.assets)
    ? b.assets.flatMap((a) =>
      a && typeof a.name === "string" && typeof a.browser_download_url === "string"
        ? [{ name: a.name, url: a.browser_download_url }]
        : []
    )
    : [];
  return {
    tag: b.tag_name,
    version,
    pageUrl: typeof b.html_url === "string" ? b.html_url : undefined,
    assets,
  };
}

interface Version {
  core: [number, number, number];
  pre: string[];
}

function parseVersion(v: string): Version | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.replace(/^v/, ""));
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split(".") : [] };
}

/** Semver order: -1, 0 or 1. A pre-release sorts before its release. Throws RangeError on a non-version. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) throw new RangeError(`Cannot compare versions "${a}" and "${b}"`);
  for (let i = 0; i < 3; i++) {
    if (va.core[i] !== vb.core[i]) return va.core[i]! < vb.core[i]! ? -1 : 1;
  }
  if (va.pre.length === 0 || vb.pre.length === 0) {
    return va.pre.length === vb.pre.length ? 0 : va.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(va.pre.length, vb.pre.length); i++) {
    const x = va.pre[i];
    const y = vb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The release asset name for a target: `talon-<target>` (`.exe` on Windows). */
export function assetName(target: string): string {
  return `talon-${target}${target.includes("windows") ? ".exe" : ""}`;
}

export interface UpdatePlan {
  current: string;
  latest: string;
  newer: boolean;
  /** What the user should do, one instruction per line. */
  steps: string[];
  asset?: ReleaseAsset;
  checksum?: ReleaseAsset;
}

/** Compares and says what to do on this target. */
export function planUpdate(opts: {
  current: string;
  release: ReleaseInfo;
  target: string;
  /** How Talon runs: a compiled binary at this path, or from source. */
  binaryPath?: string;
}): UpdatePlan {
  const { release, current } = opts;
  const newer = compareVersions(release.version, current) > 0;
  const name = assetName(opts.target);
  const asset = release.assets.find((a) => a.name === name);
  const checksum = release.assets.find((a) => a.name === `${name}.sha256`);
  const steps: string[] = [];
  if (newer) {
    if (!opts.binaryPath) {
      steps.push(`You run Talon from source: git pull (tag ${release.tag}) and restart the gateway.`);
    } else if (!asset) {
      steps.push(
        `Release ${release.tag} has no build for ${opts.target}; see ${
          release.pageUrl ?? "the release page"
        }.`,
      );
    } else if (opts.target.includes("windows")) {
      steps.push(`Download ${asset.url}`);
      if (checksum) steps.push(`Verify it against ${checksum.url} (Get-FileHash -Algorithm SHA256)`);
      steps.push(`Replace ${opts.binaryPath} with it and restart the gateway.`);
    } else {
      const dir = opts.binaryPath.slice(0, opts.binaryPath.lastIndexOf("/")) || ".";
      steps.push(
        `curl -fsSL ${INSTALL_SCRIPT_URL} | TALON_VERSION=${release.tag} TALON_INSTALL_DIR=${dir} sh`,
        "(downloads the build for this machine, checks its sha256, replaces the binary)",
        `Then restart the gateway: ${talonCommand()} service restart (or stop and start \`${talonCommand()} gateway\`).`,
      );
    }
    if (release.pageUrl) steps.push(`Release notes: ${release.pageUrl}`);
  }
  return { current, latest: release.version, newer, steps, asset, checksum };
}
