/**
 * The bubblewrap command line for one confined child process — a pure function of what the child may see
 * and of the host's filesystem layout (passed in, so it is testable without a real host). The child gets
 * an empty root with: the system directories (`/usr`, `/bin`, `/lib*`, `/sbin`, `/etc` minus secrets)
 * read-only, a fresh `/proc` of its own PID namespace, a minimal `/dev`, a private `/tmp`, the given
 * writable paths read-write and nothing else: not `$HOME`, not Talon's state directory, not `/run`, not `/var`.
 * Network only when asked; it dies with its parent.
 */

/** What the confined child may see and do. Paths are absolute. */
export interface ConfineSpec {
  /** Program (absolute path) and arguments. */
  argv: readonly string[];
  /** Working directory; must be inside a writable or readable path. */
  cwd: string;
  /** The child's complete environment (nothing else is inherited). */
  env: Readonly<Record<string, string>>;
  /** Bound read-write (e.g. the workspace). */
  writable: readonly string[];
  /** Extra paths bound read-only (e.g. a toolchain under /opt). */
  readable?: readonly string[];
  /** Private empty directories (e.g. `$HOME`, so programs find a home that holds nothing). */
  empty?: readonly string[];
  /** Whether the child keeps the host's network. Default: a network namespace of its own (loopback only). */
  network: boolean;
}

/** The parts of the host filesystem the command line depends on. */
export interface HostLayout {
  /** What is at `path` (not following a final symlink), or undefined when nothing is. */
  kind(path: string): "file" | "dir" | "symlink" | undefined;
  /** The target of a symlink. */
  link(path: string): string | undefined;
  /** Names in a directory ([] when unreadable). */
  list(dir: string): string[];
}

/** System directories bound read-only (a symlink such as `/bin -> usr/bin` is recreated as a symlink). */
export const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

/** Secret files under /etc replaced by an empty file. */
const SECRET_FILES = [
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/sudoers",
  "/etc/security/opasswd",
];
/** Secret directories under /etc replaced by an empty one. */
const SECRET_DIRS = [
  "/etc/sudoers.d",
  "/etc/ssl/private",
  "/etc/credstore",
  "/etc/credstore.encrypted",
  "/etc/talon",
  "/etc/letsencrypt",
  "/etc/wireguard",
];

/** The secrets under /etc that exist on this host: files to blank and directories to empty. */
export function etcSecrets(host: HostLayout): { files: string[]; dirs: string[] } {
  const files = SECRET_FILES.filter((f) => host.kind(f) === "file");
  // SSH host private keys (the .pub halves and ssh_config stay readable for git over ssh).
  for (const name of host.list("/etc/ssh")) {
    if (/^ssh_host_.*_key$/.test(name) && host.kind(`/etc/ssh/${name}`) === "file") {
      files.push(`/etc/ssh/${name}`);
    }
  }
  const dirs = SECRET_DIRS.filter((d) => host.kind(d) === "dir");
  return { files, dirs };
}

/** The `bwrap` arguments (everything after the program name) that run `spec.argv` confined. */
export function bwrapArgs(spec: ConfineSpec, host: HostLayout): string[] {
  if (spec.argv.length === 0 || !spec.argv[0]!.startsWith("/")) {
    throw new TypeError("bwrapArgs: argv[0] must be an absolute program path");
  }
  for (const p of [spec.cwd, ...spec.writable, ...(spec.readable ?? []), ...(spec.empty ?? [])]) {
    if (!p.startsWith("/")) throw new TypeError(`bwrapArgs: ${p} is not an absolute path`);
  }
  const args = [
    "--die-with-parent",
    "--new-session",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(spec.network ? [] : ["--unshare-net"]),
  ];
  for (const dir of SYSTEM_DIRS) {
    const kind = host.kind(dir);
    if (kind === "symlink") {
      const target = host.link(dir);
      if (target) args.push("--symlink", target, dir);
    } else if (kind === "dir") args.push("--ro-bind", dir, dir);
  }
  const secrets = etcSecrets(host);
  for (const f of secrets.files) args.push("--ro-bind", "/dev/null", f);
  for (const d of secrets.dirs) args.push("--tmpfs", d, "--remount-ro", d);
  if (spec.network) {
    // A resolv.conf that points into /run (systemd-resolved) needs its target to resolve names.
    const target = host.link("/etc/resolv.conf");
    if (target?.startsWith("/run/")) {
      const dir = target.slice(0, target.lastIndexOf("/"));
      if (host.kind(dir) === "dir") args.push("--ro-bind", dir, dir);
    }
  }
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  // Order matters: empty dirs first, so a workspace below $HOME is bound on top of the empty home.
  for (const p of spec.empty ?? []) args.push("--tmpfs", p);
  for (const p of spec.readable ?? []) {
    if (host.kind(p) !== undefined) args.push("--ro-bind", p, p);
  }
  for (const p of spec.writable) args.push("--bind", p, p);
  args.push("--chdir", spec.cwd, "--", ...spec.argv);
  return args;
}

/** The real host, read with Deno's synchronous file APIs. */
export function realHostLayout(): HostLayout {
  return {
    kind(path) {
      try {
        const s = Deno.lstatSync(path);
        return s.isSymlink ? "symlink" : s.isDirectory ? "dir" : "file";
      } catch {
        return undefined;
      }
    },
    link(path) {
      try {
        return Deno.readLinkSync(path);
      } catch {
        return undefined;
      }
    },
    list(dir) {
      try {
        return [...Deno.readDirSync(dir)].map((e) => e.name);
      } catch {
        return [];
      }
    },
  };
}
