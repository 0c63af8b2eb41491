/** Where Talon keeps its state. */
export interface TalonPaths {
  home: string;
  configFile: string;
  dbFile: string;
  logsDir: string;
  tokenFile: string;
  workspaceDir: string;
  mediaDir: string;
}

/** Resolves the state directory: TALON_HOME, else ~/.talon. */
export function resolveHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.TALON_HOME) return stripTrailingSlash(env.TALON_HOME);
  const userHome = env.HOME ?? env.USERPROFILE;
  if (!userHome) throw new TypeError("Cannot find the home directory: set HOME or TALON_HOME");
  return `${stripTrailingSlash(userHome)}/.talon`;
}

/** All paths below a state directory. */
export function talonPaths(home: string, configFile?: string): TalonPaths {
  return {
    home,
    configFile: configFile ?? `${home}/talon.json`,
    dbFile: `${home}/talon.db`,
    logsDir: `${home}/logs`,
    tokenFile: `${home}/credentials/gateway-token`,
    workspaceDir: `${home}/workspace`,
    mediaDir: `${home}/media`,
  };
}

/** Shortens a path below the user's home to `~/…` for messages. */
export function displayPath(path: string, env: Readonly<Record<string, string | undefined>>): string {
  const userHome = env.HOME;
  return userHome && path.startsWith(userHome + "/") ? "~" + path.slice(userHome.length) : path;
}

function stripTrailingSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** Where a WhatsApp web account keeps its linked-device keys (0700; files 0600). */
export function whatsappCredentialsDir(paths: Pick<TalonPaths, "home">, accountId: string): string {
  if (!/^[\w-]{1,64}$/.test(accountId)) throw new RangeError(`Invalid WhatsApp account id "${accountId}"`);
  return `${paths.home}/credentials/whatsapp/${accountId}`;
}
