// How the worker and the CLI reach Elasticsearch: one reading of the ELASTICSEARCH_* variables into
// the official client's options, so both connect the same way (docs/deployment.md, Elasticsearch
// connection). Every refusal names the variable to change; secrets never appear in `describe`.
import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { DEFAULT_ELASTICSEARCH_URL } from '../../common/node/defaults';

type Env = Record<string, string | undefined>;

/** What the ELASTICSEARCH_* variables say, checked (PEM contents read, fingerprint normalised). */
export interface ElasticConnection {
  /** A node URL, unless cloudId is set. */
  url?: string;
  /** Elastic Cloud deployment id (`name:base64`), instead of a URL. */
  cloudId?: string;
  /** Base64 `id:key` as Kibana shows it, or the `id:key` pair itself. */
  apiKey?: string | { id: string; api_key: string };
  username?: string;
  password?: string;
  /** PEM of the CA that signed the node's HTTP certificate. */
  caCert?: Buffer;
  /** SHA-256 of that CA certificate, as colon-separated upper-case hex (what the client compares). */
  caFingerprint?: string;
}

export class ElasticConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElasticConnectionError';
  }
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw && raw.trim() ? raw.trim() : undefined;
}

/** A PEM given inline (starts with -----BEGIN) or as a file path. */
function pem(env: Env, name: string): Buffer | undefined {
  const raw = value(env, name);
  if (!raw) return undefined;
  if (raw.startsWith('-----BEGIN')) return Buffer.from(raw);
  let contents: Buffer;
  try {
    contents = readFileSync(raw);
  } catch (err) {
    throw new ElasticConnectionError(`${name}: cannot read ${raw}: ${(err as Error).message}`);
  }
  if (!contents.includes('-----BEGIN CERTIFICATE-----'))
    throw new ElasticConnectionError(
      `${name}: ${raw} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  return contents;
}

function fingerprint(env: Env): string | undefined {
  const raw = value(env, 'ELASTICSEARCH_CA_FINGERPRINT');
  if (!raw) return undefined;
  const hex = raw
    .replace(/^sha256:?/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex))
    throw new ElasticConnectionError(
      'ELASTICSEARCH_CA_FINGERPRINT: expected the SHA-256 of the CA certificate, 64 hex digits (colons allowed)',
    );
  return hex.match(/../g)!.join(':');
}

function apiKey(env: Env): ElasticConnection['apiKey'] {
  const raw = value(env, 'ELASTICSEARCH_API_KEY');
  if (!raw) return undefined;
  // Base64 never contains ':', so `id:key` is the unencoded pair (as the create-API-key response gives it).
  const colon = raw.indexOf(':');
  return colon > 0 ? { id: raw.slice(0, colon), api_key: raw.slice(colon + 1) } : raw;
}

function cloudId(env: Env): string | undefined {
  const raw = value(env, 'ELASTICSEARCH_CLOUD_ID');
  if (!raw) return undefined;
  const [name, encoded, ...rest] = raw.split(':');
  const hosts = encoded ? Buffer.from(encoded, 'base64').toString().split('$') : [];
  if (!name || rest.length > 0 || hosts.length < 2 || !hosts[0] || !hosts[1])
    throw new ElasticConnectionError(
      'ELASTICSEARCH_CLOUD_ID: expected the Cloud ID of the deployment page (name:base64), not a URL',
    );
  return raw;
}

function nodeUrl(env: Env, hasCloudId: boolean): string | undefined {
  const raw = value(env, 'ELASTICSEARCH_URL');
  if (hasCloudId) {
    if (raw)
      throw new ElasticConnectionError(
        'ELASTICSEARCH_URL and ELASTICSEARCH_CLOUD_ID are both set: unset one of them',
      );
    return undefined;
  }
  const url = raw ?? DEFAULT_ELASTICSEARCH_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ElasticConnectionError(
      `ELASTICSEARCH_URL: "${url}" is not a URL (e.g. https://es.example.com:9200)`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ElasticConnectionError(`ELASTICSEARCH_URL: "${parsed.protocol}" is not http: or https:`);
  return url;
}

/** Reads and checks the ELASTICSEARCH_* variables (see docs/deployment.md for each). */
export function readElasticConnection(env: Env = process.env): ElasticConnection {
  const cloud = cloudId(env);
  const url = nodeUrl(env, Boolean(cloud));
  const key = apiKey(env);
  const username = value(env, 'ELASTICSEARCH_USERNAME');
  const password = value(env, 'ELASTICSEARCH_PASSWORD');
  if (Boolean(username) !== Boolean(password))
    throw new ElasticConnectionError(
      `${username ? 'ELASTICSEARCH_PASSWORD' : 'ELASTICSEARCH_USERNAME'} is missing: ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD go together`,
    );
  if (key && username)
    throw new ElasticConnectionError(
      'ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME are both set: unset one of them (one way to authenticate)',
    );
  const caCert = pem(env, 'ELASTICSEARCH_CA_CERT');
  const caFingerprint = fingerprint(env);
  if (caCert && caFingerprint)
    throw new ElasticConnectionError(
      'ELASTICSEARCH_CA_CERT and ELASTICSEARCH_CA_FINGERPRINT are both set: unset one of them',
    );
  if ((caCert || caFingerprint) && url && !url.startsWith('https:'))
    throw new ElasticConnectionError(
      `ELASTICSEARCH_URL: ${caCert ? 'ELASTICSEARCH_CA_CERT' : 'ELASTICSEARCH_CA_FINGERPRINT'} is set, so the URL must start with https://`,
    );
  return {
    ...(url ? { url } : {}),
    ...(cloud ? { cloudId: cloud } : {}),
    ...(key ? { apiKey: key } : {}),
    ...(username && password ? { username, password } : {}),
    ...(caCert ? { caCert } : {}),
    ...(caFingerprint ? { caFingerprint } : {}),
  };
}

/** The official client's options for a connection, plus what the caller adds (timeouts, retries). */
export function elasticClientOptions(
  connection: ElasticConnection,
  extra: Omit<ClientOptions, 'node' | 'cloud' | 'auth' | 'tls' | 'caFingerprint'> = {},
): ClientOptions {
  const auth = connection.apiKey
    ? { apiKey: connection.apiKey }
    : connection.username && connection.password
      ? { username: connection.username, password: connection.password }
      : undefined;
  return {
    ...extra,
    ...(connection.cloudId ? { cloud: { id: connection.cloudId } } : { node: connection.url }),
    ...(auth ? { auth } : {}),
    ...(connection.caCert ? { tls: { ca: connection.caCert } } : {}),
    // A pinned CA replaces chain verification: the client checks the root's SHA-256 on each connection.
    ...(connection.caFingerprint
      ? { caFingerprint: connection.caFingerprint, tls: { rejectUnauthorized: false } }
      : {}),
  };
}

export function createElasticClient(
  connection: ElasticConnection,
  extra?: Parameters<typeof elasticClientOptions>[1],
): Client {
  return new Client(elasticClientOptions(connection, extra));
}

/** Where and how it connects, without secrets (URL credentials masked), for logs and messages. */
export function describeElasticConnection(connection: ElasticConnection): Record<string, string> {
  const auth = connection.apiKey
    ? 'api key'
    : connection.username
      ? `user ${connection.username}`
      : connection.url && /\/\/[^@/]+@/.test(connection.url)
        ? 'user in URL'
        : 'none';
  return {
    ...(connection.url ? { url: connection.url.replace(/\/\/[^@/]*@/, '//***@') } : {}),
    ...(connection.cloudId ? { cloudId: connection.cloudId.split(':')[0]! } : {}),
    auth,
    tls: connection.caCert
      ? 'CA certificate'
      : connection.caFingerprint
        ? 'CA fingerprint'
        : connection.cloudId || connection.url?.startsWith('https:')
          ? 'system CAs'
          : 'none',
  };
}

/** The variables to look at when a request fails this way (for the error a user sees). */
export function elasticConnectionHint(err: unknown): string | undefined {
  const text = `${(err as Error)?.message ?? ''} ${(err as { code?: string })?.code ?? ''}`;
  const status = (err as { meta?: { statusCode?: number } })?.meta?.statusCode;
  if (status === 401)
    return 'Elasticsearch refused the credentials: check ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY';
  if (status === 403)
    return 'Elasticsearch denied the request: the user or API key lacks a privilege (docs/deployment.md, Security checklist)';
  if (/self[- ]signed|unable to verify|UNABLE_TO_GET_ISSUER|SELF_SIGNED|CERT_|fingerprint/i.test(text))
    return "Elasticsearch's certificate is not trusted: set ELASTICSEARCH_CA_CERT (a PEM file) or ELASTICSEARCH_CA_FINGERPRINT";
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ConnectionError/i.test(text))
    return 'Elasticsearch does not answer: check ELASTICSEARCH_URL (or ELASTICSEARCH_CLOUD_ID)';
  return undefined;
}
