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
    if (found) return found;
  }
  if (name === 'default' && env.MIMECAST_CLIENT_ID && env.MIMECAST_CLIENT_SECRET) {
    return {
      name,
      clientId: env.MIMECAST_CLIENT_ID,
      clientSecret: env.MIMECAST_CLIENT_SECRET,
      apiHosts: [...OFFICIAL_API_HOSTS],
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

/**
 * Refuses to send this credential (or a token obtained with it) to `url` unless the host is
 * allowed for it. Loopback (any port) is always allowed, for the simulator; plain HTTP only there.
 */
export function assertHostAllowed(
  credential: Pick<ResolvedCredential, 'name' | 'apiHosts'>,
  url: string | URL,
): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new SourceError(`"${String(url)}" is not a valid URL for credential "${credential.name}"`);
  }
  const host = parsed.hostname;
  const where = `${parsed.protocol}//${parsed.host}`;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SourceError(`refusing ${where}: only https is allowed for Mimecast`);
  }
  if (isLoopback(host)) return parsed;
  if (parsed.protocol === 'http:') {
    throw new SourceError(
      `refusing ${where}: plain HTTP is allowed only on loopback (the simulator); use https`,
    );
  }
  if (isApi1Host(host)) {
    throw new SourceError(
      `refusing ${where}: that is an API 1.0 (HMAC) host; API 2.0 uses *.services.mimecast.com (e.g. https://api.services.mimecast.com)`,
    );
  }
  if (!credential.apiHosts.some((allowed) => hostMatches(allowed, parsed))) {
    throw new SourceError(
      `refusing ${where}: host not allowed for credential "${credential.name}" (allowed: ${credential.apiHosts.join(', ')}); add it to apiHosts in the credentials file`,
    );
  }
  return parsed;
}
