// The one reading of the ELASTICSEARCH_* variables (activities/elastic/connection.ts), checked at the
// level of the official client's configuration: the node it would call, the Authorization header it
// would send and its TLS options. The security tier (test/security) connects for real with a CA
// file, a fingerprint and a file-realm user; Cloud ID and API keys cannot be created on that node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import {
  createElasticClient,
  describeElasticConnection,
  elasticConnectionHint,
  readElasticConnection,
} from '../../activities/elastic/connection';
import { readEnvironment } from '../../client/environment';
import { createElasticClient as cliElasticClient } from '../../client/elastic-connection';
import { readWorkerConfig } from '../../workers/worker-config';

interface ClientConnection {
  url: URL;
  headers: Record<string, string>;
  tls: Record<string, unknown> | null;
}

/** The single connection the client's pool holds, as it would open it. */
function connectionOf(client: Client): ClientConnection & { caFingerprint: unknown } {
  const [connection] = (client.connectionPool as unknown as { connections: ClientConnection[] }).connections;
  const symbol = Object.getOwnPropertySymbols(connection).find((s) => s.description === 'ca fingerprint')!;
  return { ...connection!, caFingerprint: (connection as unknown as Record<symbol, unknown>)[symbol] };
}

const fromEnv = (env: Record<string, string>) =>
  connectionOf(createElasticClient(readElasticConnection(env)));
const base64 = (text: string) => Buffer.from(text).toString('base64');
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('Elasticsearch connection from ELASTICSEARCH_* variables', () => {
  it('defaults to the local node without credentials or TLS', () => {
    const connection = fromEnv({});
    expect(connection.url.href).toBe('http://127.0.0.1:9200/');
    expect(connection.headers.authorization).toBeUndefined();
    expect(connection.caFingerprint).toBeNull();
  });

  it('sends an API key given base64-encoded, as Kibana shows it', () => {
    const key = base64('key-id:key-secret');
    expect(fromEnv({ ELASTICSEARCH_API_KEY: key }).headers.authorization).toBe(`ApiKey ${key}`);
  });

  it('sends an API key given as id:key, as the create-API-key response gives it', () => {
    expect(fromEnv({ ELASTICSEARCH_API_KEY: 'key-id:key-secret' }).headers.authorization).toBe(
      `ApiKey ${base64('key-id:key-secret')}`,
    );
  });

  it('connects a Cloud ID to its deployment over TLS, with an API key', () => {
    const cloudId = `my-deployment:${base64('eu-west-1.aws.found.io:443$es-uuid$kibana-uuid')}`;
    const connection = fromEnv({ ELASTICSEARCH_CLOUD_ID: cloudId, ELASTICSEARCH_API_KEY: 'id:secret' });
    expect(connection.url.href).toBe('https://es-uuid.eu-west-1.aws.found.io/');
    expect(connection.headers.authorization).toBe(`ApiKey ${base64('id:secret')}`);
    expect(describeElasticConnection(readElasticConnection({ ELASTICSEARCH_CLOUD_ID: cloudId }))).toEqual({
      cloudId: 'my-deployment',
      auth: 'none',
      tls: 'system CAs',
    });
  });

  it('sends a username and password as basic authentication', () => {
    const connection = fromEnv({
      ELASTICSEARCH_URL: 'https://es.example.com:9200',
      ELASTICSEARCH_USERNAME: 'crawler',
      ELASTICSEARCH_PASSWORD: 'p@ss',
    });
    expect(connection.headers.authorization).toBe(`Basic ${base64('crawler:p@ss')}`);
  });

  it('trusts a CA certificate given as a file or inline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'es-ca-')), 'ca.crt');
    writeFileSync(file, CA_PEM);
    for (const ELASTICSEARCH_CA_CERT of [file, CA_PEM]) {
      const connection = fromEnv({ ELASTICSEARCH_URL: 'https://es.example.com:9200', ELASTICSEARCH_CA_CERT });
      expect(String(connection.tls?.ca).trim()).toBe(CA_PEM.trim());
      expect(connection.tls?.rejectUnauthorized).toBeUndefined();
    }
  });

  it('pins a CA fingerprint in any common spelling instead of verifying the chain', () => {
    const hex = 'ab'.repeat(32);
    for (const spelling of [hex, hex.toUpperCase().match(/../g)!.join(':'), `sha256:${hex}`]) {
      const connection = fromEnv({
        ELASTICSEARCH_URL: 'https://127.0.0.1:9200',
        ELASTICSEARCH_CA_FINGERPRINT: spelling,
      });
      expect(connection.caFingerprint).toBe('AB:'.repeat(31) + 'AB');
      expect(connection.tls).toEqual({ rejectUnauthorized: false });
    }
  });

  it.each([
    [{ ELASTICSEARCH_USERNAME: 'crawler' }, /^ELASTICSEARCH_PASSWORD is missing/],
    [{ ELASTICSEARCH_PASSWORD: 'x' }, /^ELASTICSEARCH_USERNAME is missing/],
    [
      { ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD: 'p' },
      /ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME/,
    ],
    [{ ELASTICSEARCH_CA_CERT: '/nonexistent/ca.crt' }, /^ELASTICSEARCH_CA_CERT: cannot read \/nonexistent/],
    [
      { ELASTICSEARCH_URL: 'https://es:9200', ELASTICSEARCH_CA_CERT: join(__dirname, '../../package.json') },
      /^ELASTICSEARCH_CA_CERT: .* holds no PEM certificate/,
    ],
    [{ ELASTICSEARCH_CA_FINGERPRINT: 'abc' }, /^ELASTICSEARCH_CA_FINGERPRINT: expected/],
    [{ ELASTICSEARCH_CA_CERT: CA_PEM }, /^ELASTICSEARCH_URL: ELASTICSEARCH_CA_CERT is set, so .* https/],
    [{ ELASTICSEARCH_CLOUD_ID: 'https://es.example.com' }, /^ELASTICSEARCH_CLOUD_ID: expected/],
    [
      { ELASTICSEARCH_CLOUD_ID: `a:${base64('h$e')}`, ELASTICSEARCH_URL: 'https://x' },
      /ELASTICSEARCH_URL and ELASTICSEARCH_CLOUD_ID/,
    ],
    [{ ELASTICSEARCH_URL: 'es.example.com:9200' }, /^ELASTICSEARCH_URL: "es.example.com:" is not http/],
    [{ ELASTICSEARCH_URL: 'not a url' }, /^ELASTICSEARCH_URL: "not a url" is not a URL/],
  ])('refuses %p naming the variable to change', (env, message) => {
    expect(() => readElasticConnection(env)).toThrow(message);
  });

  it('is the one reading used by the worker and the CLI alike', () => {
    const env = {
      ELASTICSEARCH_URL: 'https://es.example.com:9200',
      ELASTICSEARCH_USERNAME: 'crawler',
      ELASTICSEARCH_PASSWORD: 'secret-pw',
      ELASTICSEARCH_CA_CERT: CA_PEM,
    };
    const expected = readElasticConnection(env);
    expect(readWorkerConfig(env).elasticsearch).toEqual(expected);
    const cli = readEnvironment(env);
    expect(cli.elasticsearch).toEqual(expected);
    const cliConnection = connectionOf(cliElasticClient(cli));
    expect(cliConnection.headers.authorization).toBe(`Basic ${base64('crawler:secret-pw')}`);
    expect(String(cliConnection.tls?.ca).trim()).toBe(CA_PEM.trim());
    expect(() => readWorkerConfig({ ELASTICSEARCH_CA_FINGERPRINT: 'x' })).toThrow(
      /ELASTICSEARCH_CA_FINGERPRINT/,
    );
    expect(() => readEnvironment({ ELASTICSEARCH_CA_FINGERPRINT: 'x' })).toThrow(
      /ELASTICSEARCH_CA_FINGERPRINT/,
    );
  });

  it('describes the connection without its secrets', () => {
    const shown = JSON.stringify(
      describeElasticConnection(
        readElasticConnection({
          ELASTICSEARCH_URL: 'https://u:pw-secret@es:9200',
          ELASTICSEARCH_API_KEY: 'k-secret',
        }),
      ),
    );
    expect(shown).not.toMatch(/secret/);
    expect(shown).toContain('api key');
  });

  it('names the variables behind a failed request', () => {
    expect(elasticConnectionHint({ meta: { statusCode: 401 } })).toMatch(/ELASTICSEARCH_USERNAME/);
    expect(elasticConnectionHint(new Error('self-signed certificate in certificate chain'))).toMatch(
      /ELASTICSEARCH_CA_CERT/,
    );
    expect(elasticConnectionHint(new Error('connect ECONNREFUSED 127.0.0.1:9200'))).toMatch(
      /ELASTICSEARCH_URL/,
    );
  });
});
