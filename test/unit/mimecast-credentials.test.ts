// Credentials come from the worker's environment only, and each is sent only to its allowed hosts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertHostAllowed,
  OFFICIAL_API_HOSTS,
  resolveCredential,
} from '../../activities/mimecast/credentials';
import { SourceError } from '../../common/node/errors';

const SECRET = 'S3cr3t-never-shown';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-cred-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function credentialsFile(content: unknown): string {
  const path = join(dir, `creds-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('resolveCredential', () => {
  it('reads "default" from MIMECAST_CLIENT_ID / MIMECAST_CLIENT_SECRET with the official hosts', () => {
    const c = resolveCredential('default', { MIMECAST_CLIENT_ID: 'id-1', MIMECAST_CLIENT_SECRET: SECRET });
    expect(c).toEqual({
      name: 'default',
      clientId: 'id-1',
      clientSecret: SECRET,
      apiHosts: OFFICIAL_API_HOSTS,
      developmentHosts: [],
    });
  });

  it('reads named credentials and their hosts from $MIMECAST_CREDENTIALS_FILE', () => {
    const path = credentialsFile({
      eu: { clientId: 'id-eu', clientSecret: SECRET, apiHosts: ['uk-api.services.mimecast.com'] },
    });
    const c = resolveCredential('eu', { MIMECAST_CREDENTIALS_FILE: path });
    expect(c).toMatchObject({ name: 'eu', clientId: 'id-eu', apiHosts: ['uk-api.services.mimecast.com'] });
  });

  it('refuses a missing credential with a clear, non-retryable error', () => {
    expect(() => resolveCredential('default', {})).toThrow(SourceError);
    expect(() => resolveCredential('default', {})).toThrow(/MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET/);
    const path = credentialsFile({});
    expect(() => resolveCredential('eu', { MIMECAST_CREDENTIALS_FILE: path })).toThrow(
      /"eu" is not configured: add "eu" to the credentials file/,
    );
  });

  it('never puts the secret in an error message', () => {
    const path = credentialsFile(`{"eu": {"clientSecret": "${SECRET}"`);
    const broken = () => resolveCredential('eu', { MIMECAST_CREDENTIALS_FILE: path });
    expect(broken).toThrow(SourceError);
    try {
      broken();
    } catch (err) {
      expect((err as Error).message).not.toContain(SECRET);
    }
    const incomplete = credentialsFile({ eu: { clientSecret: SECRET } });
    expect(() => resolveCredential('eu', { MIMECAST_CREDENTIALS_FILE: incomplete })).toThrow(
      /clientId is missing/,
    );
  });
});

describe('assertHostAllowed', () => {
  const cred = { name: 'default', apiHosts: OFFICIAL_API_HOSTS };

  it('allows the official API 2.0 hosts over https', () => {
    for (const host of OFFICIAL_API_HOSTS)
      expect(() => assertHostAllowed(cred, `https://${host}/oauth/token`)).not.toThrow();
  });

  it('refuses loopback unless the credential names it with its port, naming the credential and the setting', () => {
    for (const url of ['http://127.0.0.1:40123', 'https://localhost:8089/oauth/token']) {
      expect(() => assertHostAllowed(cred, url, 'connection.authEndpoint')).toThrow(
        /connection\.authEndpoint: refusing .* for credential "default": loopback is allowed only when the credential names it with its port .*MIMECAST_DEV_HOSTS=loopback/,
      );
    }
    const named = { name: 'lab', apiHosts: ['http://127.0.0.1:8089', 'localhost:9000', '127.0.0.2'] };
    expect(() => assertHostAllowed(named, 'http://127.0.0.1:8089/api/x')).not.toThrow();
    expect(() => assertHostAllowed(named, 'http://localhost:9000/oauth/token')).not.toThrow();
    // The same host on another port, or a bare host without its port, is not enough.
    expect(() => assertHostAllowed(named, 'http://127.0.0.1:8090')).toThrow(/"lab".apiHosts/);
    expect(() => assertHostAllowed(named, 'http://127.0.0.2:8089')).toThrow(/names it with its port/);
  });

  it('allows what the development switch names, from the worker environment', () => {
    const env = { MIMECAST_CLIENT_ID: 'id', MIMECAST_CLIENT_SECRET: SECRET };
    const plain = resolveCredential('default', env);
    expect(plain.developmentHosts).toEqual([]);
    expect(() => assertHostAllowed(plain, 'http://127.0.0.1:8089')).toThrow(/MIMECAST_DEV_HOSTS/);
    const dev = resolveCredential('default', { ...env, MIMECAST_DEV_HOSTS: 'loopback' });
    expect(() => assertHostAllowed(dev, 'http://127.0.0.1:40123')).not.toThrow();
    expect(() => assertHostAllowed(dev, 'http://[::1]:8089/oauth/token')).not.toThrow();
    expect(() => assertHostAllowed(dev, 'http://simulator:8089')).toThrow(/plain HTTP/);
    const docker = resolveCredential('default', { ...env, MIMECAST_DEV_HOSTS: 'simulator' });
    expect(() => assertHostAllowed(docker, 'http://simulator:8089/api/x')).not.toThrow();
    expect(() => assertHostAllowed(docker, 'http://127.0.0.1:8089')).toThrow(/loopback/);
    const pinned = resolveCredential('default', { ...env, MIMECAST_DEV_HOSTS: ' simulator:8089 ' });
    expect(() => assertHostAllowed(pinned, 'http://simulator:8089')).not.toThrow();
    expect(() => assertHostAllowed(pinned, 'http://simulator:9000')).toThrow(/plain HTTP/);
  });

  it.each([
    ['another host', 'https://evil.example.com', /for credential "default": host not allowed/],
    ['plain http off loopback', 'http://api.services.mimecast.com', /plain HTTP is allowed only on loopback/],
    [
      'another host, naming the fix',
      'https://evil.example.com',
      /change connection\.apiEndpoint, or add the host to "default"\.apiHosts/,
    ],
    ['an API 1.0 host', 'https://eu-api.mimecast.com', /API 1\.0 \(HMAC\) host/],
    ['the global API 1.0 host', 'https://api.mimecast.com', /API 1\.0/],
    ['a look-alike suffix', 'https://api.services.mimecast.com.evil.io', /host not allowed/],
    ['another scheme', 'ftp://api.services.mimecast.com', /only https/],
  ])('refuses %s', (_what, url, message) => {
    expect(() => assertHostAllowed(cred, url)).toThrow(SourceError);
    expect(() => assertHostAllowed(cred, url)).toThrow(message);
  });

  it('refuses API 1.0 hosts even when a credentials file lists them', () => {
    expect(() =>
      assertHostAllowed({ name: 'x', apiHosts: ['eu-api.mimecast.com'] }, 'https://eu-api.mimecast.com'),
    ).toThrow(/API 1\.0/);
  });

  it('honours a credential-specific host list', () => {
    const eu = { name: 'eu', apiHosts: ['https://uk-api.services.mimecast.com'] };
    expect(() => assertHostAllowed(eu, 'https://uk-api.services.mimecast.com/api/x')).not.toThrow();
    expect(() => assertHostAllowed(eu, 'https://us-api.services.mimecast.com')).toThrow(/not allowed/);
  });
});
