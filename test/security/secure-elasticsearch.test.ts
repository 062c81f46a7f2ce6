// The security-on tier: a second local Elasticsearch node with security on, as real clusters run
// (scripts/elasticsearch.sh start --name secure --security): HTTPS with a CA made by
// elasticsearch-certutil, file-realm users from elasticsearch-users, roles from roles.yml generated
// by activities/elastic/security-roles.ts, a trial license for document-level security. The worker
// and the CLI crawl the demo through it with the CA and a user that holds only the worker's role;
// a mailbox reader sees exactly that mailbox's documents; the worker's role reaches no other index.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { DEFAULT_TEMPORAL_ADDRESS } from '../../common/node/defaults';
import {
  createElasticClient,
  elasticConnectionHint,
  readElasticConnection,
} from '../../activities/elastic/connection';
import { removeIndexTemplates } from '../../activities/elastic/index-templates';
import { cliRole, mailboxReaderRole, rolesYaml, workerRole } from '../../activities/elastic/security-roles';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { createWorker, type CrawlerWorker } from '../../workers/main';
import { spawnCli, tempDir, uniqueId, writeConfig } from '../integration/cli-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'elasticsearch.sh');
const NODE = ['--name', 'secure', '--port', process.env.SECURE_ELASTICSEARCH_PORT ?? '9250'];
const SECURITY_DIR = join(ROOT, '.data', 'elasticsearch-secure', 'security');
const run = promisify(execFile);

// File-realm users of this tier (a development node on loopback): each holds one role.
const USERS = {
  worker: { user: 'crawler-worker', password: 'crawler-worker-dev', role: 'crawler_worker' },
  cli: { user: 'crawler-cli', password: 'crawler-cli-dev', role: 'crawler_cli' },
  reader: { user: 'mailbox-reader', password: 'mailbox-reader-dev', role: 'mailbox_reader' },
};
const READER_MAILBOX = 'alice@example.com';

const id = uniqueId('sec').replace(/[^a-z0-9-]/g, '');
const prefix = `t-${id}`;
const sourceId = `src-${id}`;
const taskQueue = `tq-${id}`;
const dir = tempDir('security-tier');
let adminEnv: Record<string, string>;
let admin: ElasticClient;
let sim: RunningSimulator;
let connection: Connection;
let temporal: TemporalClient;
let crawler: CrawlerWorker | undefined;
let crawling: Promise<void> | undefined;

function script(verb: string, ...args: string[]) {
  return run('bash', [SCRIPT, verb, ...NODE, ...args], { cwd: ROOT, timeout: 540_000 });
}

function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The variables a process uses to reach the secure node as `who`, trusting its CA. */
function esEnv(who: keyof typeof USERS): Record<string, string> {
  return {
    ELASTICSEARCH_URL: adminEnv.ELASTICSEARCH_URL!,
    ELASTICSEARCH_CA_CERT: adminEnv.ELASTICSEARCH_CA_CERT!,
    ELASTICSEARCH_USERNAME: USERS[who].user,
    ELASTICSEARCH_PASSWORD: USERS[who].password,
  };
}

const clientAs = (who: keyof typeof USERS) => createElasticClient(readElasticConnection(esEnv(who)));

/** The HTTP status of a refused request (200 when it was allowed). */
async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (err) {
    return (err as { meta?: { statusCode?: number } }).meta?.statusCode ?? -1;
  }
}

/** Ids of every message and attachment document the client may see under the prefix. */
async function visibleDocuments(es: ElasticClient, filter?: object): Promise<string[]> {
  const response = await es.search({
    index: `${prefix}-messages,${prefix}-attachments`,
    size: 10_000,
    _source: false,
    ...(filter ? { query: filter } : {}),
  });
  return response.hits.hits.map((hit) => `${hit._index}/${hit._id}`).sort();
}

async function waitUntilAuthenticates(who: keyof typeof USERS): Promise<void> {
  const es = clientAs(who);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const status = await statusOf(es.security.authenticate());
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`${USERS[who].user} cannot authenticate (HTTP ${status})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await es.close();
  }
}

beforeAll(async () => {
  await script('start', '--security');
  adminEnv = envFile(join(SECURITY_DIR, 'admin.env'));
  admin = createElasticClient(readElasticConnection(adminEnv));
  const roles = join(dir, 'roles.yml');
  writeFileSync(
    roles,
    rolesYaml({
      [USERS.worker.role]: workerRole(prefix),
      [USERS.cli.role]: cliRole(prefix),
      [USERS.reader.role]: mailboxReaderRole(READER_MAILBOX, prefix),
    }),
  );
  await script('roles', '--file', roles);
  for (const { user, password, role } of Object.values(USERS))
    await script('useradd', '--user', user, '--password', password, '--roles', role);
  for (const who of Object.keys(USERS) as (keyof typeof USERS)[]) await waitUntilAuthenticates(who);

  sim = await startSimulator({ preset: 'tiny' });
  connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
  });
  temporal = new TemporalClient({ connection });
  const [credential] = sim.credentials;
  crawler = await createWorker({
    env: {
      ...esEnv('worker'),
      MIMECAST_CLIENT_ID: credential!.clientId,
      MIMECAST_CLIENT_SECRET: credential!.clientSecret,
      MIMECAST_DEV_HOSTS: 'loopback',
    },
    config: { taskQueue, metricsPort: 0, indexPrefixes: [prefix], shutdownGraceMs: 2_000 },
    serveMetrics: false,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  crawling = crawler.run();
});

afterAll(async () => {
  if (temporal) await terminateSource(temporal, sourceId).catch(() => undefined);
  crawler?.shutdown();
  await crawling?.catch(() => undefined);
  if (admin) {
    await removeIndexTemplates(admin, prefix).catch(() => undefined);
    await admin.indices.delete({ index: `other-${id}*`, ignore_unavailable: true }).catch(() => undefined);
    await admin.close();
  }
  await sim?.close();
  await connection?.close();
});

describe('Elasticsearch with security on', () => {
  it('the worker and the CLI crawl the demo over HTTPS with the CA, as a user holding only the worker role', async () => {
    const startDate = new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10);
    const config = writeConfig(dir, 'source.json', {
      sourceId,
      connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
      index: { prefix },
      domains: { includeLocal: true },
      messages: { startDate },
    });
    const crawl = await spawnCli(['crawl', '--config', config, '--wait'], {
      ...esEnv('worker'),
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    expect({ code: crawl.code, stderr: crawl.stderr }).toEqual({ code: 0, stderr: '' });

    await admin.indices.refresh({ index: `${prefix}-*` });
    const expected = sim.control.expectedMessages(READER_MAILBOX, 'INBOX').length;
    const { count } = await admin.count({
      index: `${prefix}-messages`,
      query: { term: { mailbox: READER_MAILBOX } },
    });
    expect(count).toBeGreaterThanOrEqual(expected);
    expect(expected).toBeGreaterThan(0);

    // The CLI's read-only role is enough for status.
    const status = await spawnCli(['status', '--source', sourceId, '--prefix', prefix], {
      ...esEnv('cli'),
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    expect(status.stdout).toContain(READER_MAILBOX);
  });

  it('document-level security: a mailbox reader sees exactly that mailbox’s messages and attachments', async () => {
    const everything = await visibleDocuments(admin);
    const mailboxOnly = await visibleDocuments(admin, { term: { mailbox: READER_MAILBOX } });
    expect(mailboxOnly.some((doc) => doc.startsWith(`${prefix}-messages/`))).toBe(true);
    expect(mailboxOnly.some((doc) => doc.startsWith(`${prefix}-attachments/`))).toBe(true);
    expect(mailboxOnly.length).toBeLessThan(everything.length);

    const reader = clientAs('reader');
    try {
      expect(await visibleDocuments(reader)).toEqual(mailboxOnly);
      // Nothing but the two searchable indices: not the registry, not the failed items.
      expect(await statusOf(reader.search({ index: `${prefix}-mailboxes` }))).toBe(403);
      expect(await statusOf(reader.index({ index: `${prefix}-messages`, document: { x: 1 } }))).toBe(403);
    } finally {
      await reader.close();
    }
  });

  it('the worker role reads and writes no other index; the CLI role writes nothing', async () => {
    const other = `other-${id}`;
    await admin.index({ index: other, document: { secret: 'x' }, refresh: true });
    const worker = clientAs('worker');
    const cli = clientAs('cli');
    try {
      expect(await statusOf(worker.search({ index: other }))).toBe(403);
      expect(await statusOf(worker.index({ index: other, document: { x: 1 } }))).toBe(403);
      expect(await statusOf(worker.indices.create({ index: `${other}-new` }))).toBe(403);
      expect(await statusOf(worker.search({ index: `${prefix}-messages` }))).toBe(200);
      expect(await statusOf(cli.index({ index: `${prefix}-messages`, document: { x: 1 } }))).toBe(403);
      expect(await statusOf(cli.search({ index: other }))).toBe(403);
    } finally {
      await worker.close();
      await cli.close();
    }
  });

  it('the built-in elastic user logs in with the bootstrap password the keystore holds', async () => {
    const elastic = createElasticClient(
      readElasticConnection({
        ...esEnv('cli'),
        ELASTICSEARCH_USERNAME: 'elastic',
        ELASTICSEARCH_PASSWORD: readFileSync(join(SECURITY_DIR, 'bootstrap-password'), 'utf8').trim(),
      }),
    );
    try {
      const me = await elastic.security.authenticate();
      expect({ user: me.username, realm: me.authentication_realm.type }).toEqual({
        user: 'elastic',
        realm: 'reserved',
      });
      expect((await elastic.license.get()).license.type).toBe('trial');
    } finally {
      await elastic.close();
    }
  });

  it('trusts the node by CA fingerprint too, and names the variable when trust or credentials fail', async () => {
    const fingerprint = new X509Certificate(readFileSync(adminEnv.ELASTICSEARCH_CA_CERT!)).fingerprint256;
    const { ELASTICSEARCH_CA_CERT: _ca, ...withoutCa } = esEnv('cli');
    const pinned = createElasticClient(
      readElasticConnection({ ...withoutCa, ELASTICSEARCH_CA_FINGERPRINT: fingerprint }),
    );
    const untrusted = createElasticClient(readElasticConnection(withoutCa), { maxRetries: 0 });
    const wrongPassword = createElasticClient(
      readElasticConnection({ ...esEnv('cli'), ELASTICSEARCH_PASSWORD: 'wrong' }),
      { maxRetries: 0 },
    );
    try {
      expect((await pinned.security.authenticate()).username).toBe(USERS.cli.user);
      const tlsError = await untrusted.info().catch((err: unknown) => err);
      expect(elasticConnectionHint(tlsError)).toMatch(/ELASTICSEARCH_CA_CERT/);
      const authError = await wrongPassword.info().catch((err: unknown) => err);
      expect(elasticConnectionHint(authError)).toMatch(/ELASTICSEARCH_PASSWORD/);
    } finally {
      await Promise.all([pinned.close(), untrusted.close(), wrongPassword.close()]);
    }

    // What a user sees: the CLI and the worker name the variable to set.
    const cli = await spawnCli(['status', '--source', sourceId, '--prefix', prefix], withoutCa);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/certificate is not trusted: set ELASTICSEARCH_CA_CERT/);
    await expect(
      createWorker({
        env: withoutCa,
        config: { taskQueue: `${taskQueue}-untrusted`, metricsPort: 0, indexPrefixes: [prefix] },
        serveMetrics: false,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      }),
    ).rejects.toThrow(/ELASTICSEARCH_CA_CERT/);
  });
});
