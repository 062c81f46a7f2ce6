// Credentials are resolved by name in the worker's own environment, never from settings (docs/architecture.md
// Settings), and each may be sent only to its allowed hosts, so whoever edits a schedule cannot point
// the secret at a host of their choosing.
import { readFileSync } from 'node:fs';
import { SourceError } from './errors';

export interface ResolvedCredential {
  name: string;
  clientId: string;
  clientSecret: string;
  /** Allowed API hosts: origins (`https://host[:port]`) or bare host names. */
  apiHosts: string[];
  /** The worker's development switch ($MIMECAST_DEV_HOSTS), the same for every credential. */
  developmentHosts: string[];
}

/**
 * The development switch: hosts that every credential may reach, plain HTTP included. `loopback`
 * stands for any loopback host and port (the demo and the tests); `simulator` or `simulator:8089`
 * names a host (docker-compose's service). Never set it where real credentials live.
 */
export const DEV_HOSTS_VARIABLE = 'MIMECAST_DEV_HOSTS';

export function developmentHosts(env: Env = process.env): string[] {
  return (env[DEV_HOSTS_VARIABLE] ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

/** True when the development switch allows this URL's host. */
export function isDevelopmentHost(devHosts: readonly string[], url: URL): boolean {
  return devHosts.some((entry) =>
    entry === 'loopback' ? isLoopback(url.hostname) : hostMatches(entry, url),
  );
}

/** The official API 2.0 gateways (docs/architecture.md, Mimecast API facts). */
export const OFFICIAL_API_HOSTS = [
  'api.services.mimecast.com',
  'uk-api.services.mimecast.com',
  'us-api.services.mimecast.com',
];

type Env = Record<string, string | undefined>;

function fileCredential(name: string, path: string): ResolvedCredential | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    // The file's content is never echoed: it holds secrets.
    throw new SourceError(
      `cannot read the credentials file $MIMECAST_CREDENTIALS_FILE (${path}): ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}`,
    );
  }
  if (!parsed || typeof parsed !== 'object') {
    throw new SourceError(
      `the credentials file ${path} must hold an object {name: {clientId, clientSecret, apiHosts[]}}`,
    );
  }
  const entry = (parsed as Record<string, unknown>)[name];
  if (entry === undefined) return undefined;
  const e = entry as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.clientId !== 'string' || !e.clientId) problems.push('clientId is missing');
  if (typeof e.clientSecret !== 'string' || !e.clientSecret) problems.push('clientSecret is missing');
  if (
    e.apiHosts !== undefined &&
    (!Array.isArray(e.apiHosts) || !e.apiHosts.every((h) => typeof h === 'string'))
  ) {
    problems.push('apiHosts must be an array of host names');
  }
  if (problems.length) throw new SourceError(`credential "${name}" in ${path}: ${problems.join('; ')}`);
  const apiHosts = (e.apiHosts as string[] | undefined) ?? [];
  return {
    name,
    clientId: e.clientId as string,
    clientSecret: e.clientSecret as string,
    apiHosts: apiHosts.length ? apiHosts : [...OFFICIAL_API_HOSTS],
    developmentHosts: [],
  };
}

/**
 * `default` comes from MIMECAST_CLIENT_ID / MIMECAST_CLIENT_SECRET (unless the credentials file
 * names it); any other name from the file at $MIMECAST_CREDENTIALS_FILE.
 */
export function resolveCredential(name: string, env: Env = process.env): ResolvedCredential {
  const file = env.MIMECAST_CREDENTIALS_FILE;
  if (file) {
    const found = fileCredential(name, file);
    if (found) return { ...found, developmentHosts: developmentHosts(env) };
  }
  if (name === 'default' && env.MIMECAST_CLIENT_ID && env.MIMECAST_CLIENT_SECRET) {
    return {
      name,
      clientId: env.MIMECAST_CLIENT_ID,
      clientSecret: env.MIMECAST_CLIENT_SECRET,
      apiHosts: [...OFFICIAL_API_HOSTS],
      developmentHosts: developmentHosts(env),
    };
  }
  const where =
    name === 'default'
      ? 'set MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET in the worker environment, or add "default" to $MIMECAST_CREDENTIALS_FILE'
      : file
        ? `add "${name}" to the credentials file ${file}`
        : 'set MIMECAST_CREDENTIALS_FILE in the worker environment to a file that defines it';
  throw new SourceError(`Mimecast credential "${name}" is not configured: ${where}`);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** API 1.0 (HMAC) gateways: `*-api.mimecast.com` / `api.mimecast.com` without `.services`. */
export function isApi1Host(hostname: string): boolean {
  return /(^|\.|-)api\.mimecast\.com$/i.test(hostname) && !/\.services\.mimecast\.com$/i.test(hostname);
}

function hostMatches(allowed: string, url: URL): boolean {
  const entry = allowed.trim().toLowerCase();
  if (entry.includes('://')) {
    try {
      return new URL(entry).origin === url.origin;
    } catch {
      return false;
    }
  }
  // A bare entry names a host (any port) or host:port.
  return entry === url.hostname.toLowerCase() || entry === url.host.toLowerCase();
}

/** Loopback counts only when named with its port: `127.0.0.1:8089` or `http://localhost:8089`. */
function namesLoopbackWithPort(allowed: string, url: URL): boolean {
  const entry = allowed.trim().toLowerCase();
  const explicitPort = entry.includes('://') ? /:\d+(\/|$)/.test(entry.split('://')[1]) : /:\d+$/.test(entry);
  return explicitPort && hostMatches(entry, url);
}

type HostCheckCredential = Pick<ResolvedCredential, 'name' | 'apiHosts'> &
  Partial<Pick<ResolvedCredential, 'developmentHosts'>>;

/**
 * Refuses to send this credential (or a token obtained with it) to `url` unless the host is
 * allowed for it: https to its apiHosts; loopback only when apiHosts name it with its port, or
 * any host the development switch names. `setting` is the settings field that gave the URL.
 */
export function assertHostAllowed(
  credential: HostCheckCredential,
  url: string | URL,
  setting = 'connection.apiEndpoint',
): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new SourceError(
      `${setting}: "${String(url)}" is not a valid URL for credential "${credential.name}"`,
    );
  }
  const host = parsed.hostname;
  const where = `${setting}: refusing ${parsed.protocol}//${parsed.host} for credential "${credential.name}"`;
  const fileEntry = `"${credential.name}".apiHosts in $MIMECAST_CREDENTIALS_FILE`;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SourceError(`${where}: only https is allowed for Mimecast`);
  }
  if (isDevelopmentHost(credential.developmentHosts ?? [], parsed)) return parsed;
  if (isLoopback(host)) {
    if (credential.apiHosts.some((allowed) => namesLoopbackWithPort(allowed, parsed))) return parsed;
    throw new SourceError(
      `${where}: loopback is allowed only when the credential names it with its port (add "${parsed.origin}" to ${fileEntry}), or in development with ${DEV_HOSTS_VARIABLE}=loopback in the worker's environment`,
    );
  }
  if (parsed.protocol === 'http:') {
    throw new SourceError(
      `${where}: plain HTTP is allowed only on loopback or a host named in ${DEV_HOSTS_VARIABLE} (development); use https in ${setting}`,
    );
  }
  if (isApi1Host(host)) {
    throw new SourceError(
      `${where}: that is an API 1.0 (HMAC) host; API 2.0 uses *.services.mimecast.com (e.g. https://api.services.mimecast.com); change ${setting}`,
    );
  }
  if (!credential.apiHosts.some((allowed) => hostMatches(allowed, parsed))) {
    throw new SourceError(
      `${where}: host not allowed (allowed: ${credential.apiHosts.join(', ')}); change ${setting}, or add the host to ${fileEntry}`,
    );
  }
  return parsed;
}
