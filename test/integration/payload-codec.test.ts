// The payload codec on the real servers (docs/deployment.md, Security checklist): a pass run by a
// worker and client with codec keys leaves no address, subject or setting value in clear text in
// any history fetched raw; the codec server decodes those payloads for the Web UI (its HTTP
// contract), also after a key rotation; the CLI's schedules store their arguments encrypted.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../codec/aes-gcm-codec';
import { createCodecServer, listenCodecServer } from '../../codec/codec-server';
import { codecDataConverter } from '../../codec/data-converter';
import { readCodecKeys } from '../../codec/encryption-keys';
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import { passWorkflowId } from '../../common/contracts';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';
import { runCliInProcess, tempDir, writeConfig } from './cli-harness';

jest.setTimeout(180_000);

const key = () => randomBytes(32).toString('base64');
const OLD = `k2025:${key()}`;
const NEW = `k2026:${key()}`;
const UI_ORIGIN = 'http://127.0.0.1:8233';
// Setting values that must never be readable in a history.
const BLANK_SUBJECT = `blank-subject-${randomBytes(4).toString('hex')}`;
const EXCLUDED_SUBJECT = `^never-index-${randomBytes(4).toString('hex')}`;

let h: WorkerHarness;
let codecClient: Client;
let result: CrawlArchiveResult;
const rawPayloads: Payload[] = [];
const plainPaths: string[] = [];
let rawHistoryText = '';

/** Every byte array of a history, as latin1 text next to its field names: what an onlooker reads. */
function readable(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (Array.isArray(value)) return value.map(readable).join('\n');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${readable(v)}`)
      .join('\n');
  }
  return String(value);
}

/**
 * Every payload object in a raw history (anything with metadata.encoding), with its path. Search
 * attributes are left out: the server indexes them, so they are never encoded (they hold keys only);
 * so are the SDK's `patched()` markers (their patch-data is the patch's name, written by the core).
 */
function collectPayloads(value: unknown, into: Payload[], path = ''): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  const candidate = value as Payload;
  if (candidate.metadata && candidate.metadata.encoding instanceof Uint8Array) {
    const encoding = Buffer.from(candidate.metadata.encoding).toString();
    if (encoding !== ENCRYPTED_ENCODING) plainPaths.push(`${path} (${encoding})`);
    into.push(candidate);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'searchAttributes' && key !== 'patch-data') collectPayloads(child, into, `${path}.${key}`);
  }
}

async function post(port: number, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });
}

function toJson(p: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'payload-codec', startWorker: false });
  h.deps.addressHashKey = 'test-address-hash-key';
  const dataConverter = codecDataConverter({ PAYLOAD_CODEC_KEYS: OLD });
  await h.startWorker({ dataConverter });
  codecClient = new Client({ connection: h.client.connection, namespace: 'default', dataConverter });
  const settings = h.settings({
    privacy: { hashAddresses: true },
    messages: { blankSubjectDefault: BLANK_SUBJECT, excludedSubjects: [EXCLUDED_SUBJECT] },
  });
  const handle: WorkflowHandle = await codecClient.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [{ settings } satisfies CrawlArchiveInput],
  });
  result = await handle.result();
  const ids = [passWorkflowId(h.sourceId)];
  for await (const wf of h.client.workflow.list({ query: `MimecastSource = '${h.sourceId}'` })) {
    if (!ids.includes(wf.workflowId)) ids.push(wf.workflowId);
  }
  // Fetched raw: the harness's client has no codec.
  for (const id of ids) {
    const history = await h.client.workflow.getHandle(id).fetchHistory();
    rawHistoryText += readable(history);
    collectPayloads(history, rawPayloads);
  }
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

describe('histories fetched raw', () => {
  it('hold every payload encrypted, with its key id', () => {
    expect(result.status).toBe('Completed');
    expect(result.mailboxes.completed).toBeGreaterThan(0);
    expect(rawPayloads.length).toBeGreaterThan(10);
    expect(plainPaths).toEqual([]);
    for (const p of rawPayloads) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k2025');
    }
  });

  it('hold no address, subject or setting value in clear text, though the payloads carry them', async () => {
    const addresses = h.sim.control.listUsers().map((u) => u.emailAddress.toLowerCase());
    const subjects = addresses
      .flatMap((a) => h.sim.control.expectedMessages(a, 'INBOX'))
      .map((m) => m.subject)
      .filter((s): s is string => typeof s === 'string' && s.length > 6);
    const lower = rawHistoryText.toLowerCase();
    for (const secret of [...addresses, ...subjects, BLANK_SUBJECT, EXCLUDED_SUBJECT, h.sim.url]) {
      expect(lower).not.toContain(secret.toLowerCase());
    }
    // The same payloads, decoded: the values are there, only encrypted.
    const decoded = await new AesGcmPayloadCodec(readCodecKeys({ PAYLOAD_CODEC_KEYS: OLD })!).decode(
      rawPayloads,
    );
    const plain = readable(decoded);
    expect(plain).toContain(BLANK_SUBJECT);
    expect(plain).toContain(h.sim.url);
    expect(addresses.some((a) => plain.toLowerCase().includes(a))).toBe(true);
  });
});

describe('the codec server', () => {
  let server: Server;
  let port: number;
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    // Rotated: the new key encrypts, the old one still decodes.
    const keys = readCodecKeys({ PAYLOAD_CODEC_KEYS: `${NEW},${OLD}` })!;
    server = createCodecServer({
      codec: new AesGcmPayloadCodec(keys),
      allowedOrigins: [UI_ORIGIN],
      token,
      namespace: 'default',
    });
    port = await listenCodecServer(server, 0, '127.0.0.1');
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('decodes the payloads of the history after a key rotation', async () => {
    const sample = rawPayloads.slice(0, 20);
    const response = await post(
      port,
      '/decode',
      { payloads: sample.map(toJson) },
      { Authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(body.payloads).toHaveLength(sample.length);
    for (const p of body.payloads) {
      expect(Buffer.from(p.metadata.encoding!, 'base64').toString()).toMatch(/^json\/|^binary\/null$/);
    }
    // Without the old key the same payloads cannot be read, and the error names the variable.
    const newOnly = new AesGcmPayloadCodec(readCodecKeys({ PAYLOAD_CODEC_KEYS: NEW })!);
    await expect(newOnly.decode(sample)).rejects.toThrow(/key "k2025".*PAYLOAD_CODEC_KEYS/);
  });

  it('round-trips /encode and /decode with the new key', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"x@y.z"').toString('base64'),
    };
    const auth = { Authorization: `Bearer ${token}` };
    const encoded = (await (await post(port, '/encode', { payloads: [plain] }, auth)).json()) as {
      payloads: { metadata: Record<string, string>; data: string }[];
    };
    expect(Buffer.from(encoded.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe(
      'k2026',
    );
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain('x@y.z');
    const decoded = (await (await post(port, '/decode', encoded, auth)).json()) as { payloads: unknown[] };
    expect(decoded.payloads).toEqual([plain]);
  });

  it("answers the Web UI's preflight with CORS for its origin only, credentials allowed", async () => {
    const preflight = await fetch(`http://127.0.0.1:${port}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    const stranger = await fetch(`http://127.0.0.1:${port}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a POST without the bearer token (401), or for another namespace (403)', async () => {
    const body = { payloads: rawPayloads.slice(0, 1).map(toJson) };
    const anonymous = await post(port, '/decode', body, { Origin: UI_ORIGIN });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(anonymous.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(await anonymous.text()).not.toContain('k2025');
    const wrong = await post(port, '/decode', body, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const other = await post(port, '/decode', body, {
      Authorization: `Bearer ${token}`,
      'X-Namespace': 'someone-else',
    });
    expect(other.status).toBe(403);
  });
});

describe("the CLI's schedules", () => {
  it('store the pass arguments encrypted with the CLI environment keys', async () => {
    const sourceId = `${h.sourceId}-sched`;
    const config = writeConfig(tempDir('codec-schedule'), 'source.json', {
      sourceId,
      messages: { startDate: '2024-01-01', blankSubjectDefault: BLANK_SUBJECT },
      index: { prefix: h.prefix },
    });
    const env = { PAYLOAD_CODEC_KEYS: NEW, TEMPORAL_TASK_QUEUE: h.taskQueue };
    const created = await runCliInProcess(['schedule', 'create', '--config', config, '--every', '1h'], env);
    expect(created.code).toBe(0);
    try {
      const raw = await h.client.workflowService.describeSchedule({
        namespace: 'default',
        scheduleId: `crawl-schedule:${sourceId}`,
      });
      const input = raw.schedule?.action?.startWorkflow?.input?.payloads ?? [];
      expect(input).toHaveLength(1);
      expect(Buffer.from(input[0]!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(readable(raw.schedule)).not.toContain(BLANK_SUBJECT);
      const described = await runCliInProcess(['schedule', 'describe', '--source', sourceId], env);
      expect(described.code).toBe(0);
    } finally {
      await runCliInProcess(['schedule', 'delete', '--source', sourceId], env);
    }
  });
});
