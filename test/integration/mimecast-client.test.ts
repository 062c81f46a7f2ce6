// The Mimecast client against the in-process simulator: auth (expiry, single-flight refresh),
// fail[] at 200, permissions, both end-of-list forms, link downloads, refused hosts, redaction,
// and the shared throttle pause.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { MimecastClientProvider } from '../../activities/mimecast/client-provider';
import { CallScope } from '../../activities/mimecast/call-scope';
import { MimecastFunctionError, SourceError } from '../../activities/mimecast/errors';
import type { MimecastClient } from '../../activities/mimecast/client';
import {
  startSimulator,
  DEFAULT_FAULTS,
  DEFAULT_SWITCHES,
  type RunningSimulator,
  type SimulatorSwitches,
} from '../../simulator';
import { settings as testSettings } from '../helpers/settings';

const ENV = {
  MIMECAST_CLIENT_ID: 'sim-client',
  MIMECAST_CLIENT_SECRET: 'sim-secret',
  MIMECAST_DEV_HOSTS: 'loopback',
};
const MAILBOX = 'alice@example.com';
const START = '2000-01-01T00:00:00Z';

interface LogLine {
  at: number;
  obj: Record<string, any>;
  msg?: string;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const push = (obj: object, msg?: string) =>
    lines.push({ at: performance.now(), obj: obj as Record<string, any>, msg });
  return { lines, logger: { debug: push, info: push, warn: push, error: push } };
}

/** Records the Authorization header of every request, by origin, as the client sends it. */
function recordingDispatcher() {
  const agent = new Agent();
  const sent: { origin: string; path: string; authorization?: string }[] = [];
  const dispatcher = agent.compose((dispatch) => (opts: Dispatcher.DispatchOptions, handler) => {
    const headers = (opts.headers ?? {}) as Record<string, string>;
    const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    sent.push({ origin: String(opts.origin), path: opts.path, authorization: auth });
    return dispatch(opts, handler);
  });
  return { agent, dispatcher, sent };
}

let sim: RunningSimulator;
const providers: MimecastClientProvider[] = [];

function settingsFor(extra: Record<string, unknown> = {}) {
  return testSettings(extra, {
    sourceId: 'client-it',
    messages: { startDate: START },
    connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
  });
}

function newProvider(
  opts: { logger?: ReturnType<typeof captureLogger>['logger']; dispatcher?: Dispatcher } = {},
) {
  const provider = new MimecastClientProvider({
    env: ENV,
    logger: opts.logger ?? captureLogger().logger,
    dispatcher: opts.dispatcher,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  providers.push(provider);
  return provider;
}

async function allMessageIds(
  client: MimecastClient,
  pageSize: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  // Fixed bounds: a page token belongs to its query (start, end, view, mailbox).
  const end = new Date();
  do {
    const page = await client.listMessagesPage({
      mailbox: MAILBOX,
      view: 'INBOX',
      start: START,
      end,
      pageSize,
      pageToken,
    });
    pages += 1;
    ids.push(...page.records.map((r) => r.id));
    pageToken = page.nextPageToken;
    if (pages > 50) throw new Error('paging did not stop');
  } while (pageToken);
  return { ids, pages };
}

beforeAll(async () => {
  sim = await startSimulator({ preset: 'tiny', seed: 4 });
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await sim.close();
});
beforeEach(() => {
  sim.control.setSwitches(DEFAULT_SWITCHES);
  sim.control.setFaults(DEFAULT_FAULTS);
  sim.control.resetCounters();
});

describe('authentication', () => {
  it('makes ONE token request for many concurrent calls', async () => {
    const client = newProvider().forSettings(settingsFor());
    const results = await Promise.all(Array.from({ length: 12 }, () => client.listInternalDomains()));
    expect(results.every((d) => d.length === sim.control.listDomains().length)).toBe(true);
    expect(sim.control.counters().auth).toBe(1);
    expect(sim.control.counters()['/api/domain/get-internal-domain']).toBe(12);
  });

  it('survives token expiry mid-run: the 401 refreshes once and the call is retried', async () => {
    const client = newProvider().forSettings(settingsFor());
    const before = await client.listInternalDomains();
    sim.control.advanceClock(1800 * 1000);
    const after = await Promise.all([
      client.listInternalDomains(),
      client.listInternalDomains(),
      client.listInternalDomains(),
    ]);
    expect(after.every((d) => d.length === before.length)).toBe(true);
    const counters = sim.control.counters();
    expect(counters.auth).toBe(2);
    expect(counters['401']).toBe(3);
  });

  it('refreshes before expiry by authTokenOffsetSeconds, without a 401', async () => {
    let clock = Date.now();
    const provider = new MimecastClientProvider({
      env: ENV,
      logger: captureLogger().logger,
      clock: () => clock,
    });
    providers.push(provider);
    const client = provider.forSettings(settingsFor({ performance: { authTokenOffsetSeconds: -60 } }));
    await client.listInternalDomains();
    clock += (1799 - 60) * 1000;
    await client.listInternalDomains();
    expect(sim.control.counters().auth).toBe(2);
    expect(sim.control.counters()['401']).toBeUndefined();
  });

  it('fails with a source error when even a fresh token is refused', async () => {
    sim.control.setFaults({ tokenExpireSeconds: 0 });
    const client = newProvider().forSettings(settingsFor());
    await expect(client.listInternalDomains()).rejects.toThrow(SourceError);
    await expect(client.listInternalDomains()).rejects.toThrow(/rejected a freshly issued token/);
  });

  it.each(['flat', 'nested', 'oauth'] as const)('parses a %s 401 body', async (shape) => {
    sim.control.setSwitches({ unauthorizedBody: shape });
    sim.control.setFaults({ tokenExpireSeconds: 0 });
    const client = newProvider().forSettings(settingsFor());
    await expect(client.listInternalDomains()).rejects.toThrow(/token_expired|has expired/);
  });

  it('names the credential, never the secret, when the secret is wrong', async () => {
    const provider = new MimecastClientProvider({
      env: {
        MIMECAST_CLIENT_ID: 'sim-client',
        MIMECAST_CLIENT_SECRET: 'wrong-secret-value',
        MIMECAST_DEV_HOSTS: 'loopback',
      },
      logger: captureLogger().logger,
    });
    providers.push(provider);
    const err = await provider
      .forSettings(settingsFor())
      .listInternalDomains()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/refused credential "default".*HTTP 401/);
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });
});

describe('envelope and permissions', () => {
  it('turns fail[] at HTTP 200 into a MimecastFunctionError with codes and fields', async () => {
    const client = newProvider().forSettings(settingsFor());
    const err = await client
      .listMessagesPage({
        mailbox: 'not-an-address',
        view: 'INBOX',
        start: START,
        end: new Date(),
        pageSize: 10,
      })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(MimecastFunctionError);
    expect(err).toMatchObject({
      httpStatus: 200,
      codes: ['err_validation_invalid_email_address'],
      endpoint: '/api/archive/get-message-list',
      fields: ['mailbox'],
    });
  });

  it('reports a failed message id as an item-level function error', async () => {
    const [first] = sim.control.expectedMessages(MAILBOX, 'INBOX');
    sim.control.setFaults({ failIds: [first.id] });
    const client = newProvider().forSettings(settingsFor());
    const err = (await client.getMessageDetail(first.id).catch((e: unknown) => e)) as MimecastFunctionError;
    expect(err).toBeInstanceOf(MimecastFunctionError);
    expect(err.kind).toBe('item');
    expect(err.codes).toEqual(['err_message_retrieval_failed']);
  });

  it('names the missing role on a 403', async () => {
    sim.control.setSwitches({ roleMissingEndpoints: ['/api/archive/get-message-list'] });
    const client = newProvider().forSettings(settingsFor());
    const err = await client
      .listMessagesPage({ mailbox: MAILBOX, view: 'INBOX', start: START, end: new Date(), pageSize: 5 })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/Archive › Search › Read/);
  });

  it.each(['403', '200-fail'] as const)(
    'names the missing product on app_forbidden (HTTP %s)',
    async (mode) => {
      sim.control.setSwitches({ forbiddenEndpoints: ['/api/user/get-internal-users'], appForbidden: mode });
      const client = newProvider().forSettings(settingsFor());
      const err = await client
        .listInternalUsersPage({ domain: 'example.com', pageSize: 10 })
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(/no Product .*app_forbidden/);
    },
  );
});

describe('paging', () => {
  it.each(['no-next', 'empty-with-next'] as const)(
    'stops at the end of the list (%s) with every message once',
    async (lastPage) => {
      sim.control.setSwitches({ lastPage });
      const expected = sim.control.expectedMessages(MAILBOX, 'INBOX').map((m) => m.id);
      expect(expected.length).toBeGreaterThan(3);
      const client = newProvider().forSettings(settingsFor());
      const { ids, pages } = await allMessageIds(client, expected.length);
      expect(ids.sort()).toEqual([...expected].sort());
      // Exactly one page of records plus, in the empty-with-next form, the empty page that ends it.
      expect(pages).toBe(lastPage === 'no-next' ? 1 : 2);
      const small = await allMessageIds(client, 3);
      expect(small.ids.sort()).toEqual([...expected].sort());
    },
  );

  it('lists users of a domain page by page and normalises list records', async () => {
    sim.control.setSwitches({ listToShape: 'object' });
    const client = newProvider().forSettings(settingsFor());
    const users: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.listInternalUsersPage({ domain: 'example.com', pageSize: 2, pageToken });
      users.push(...page.users.map((u) => u.emailAddress));
      pageToken = page.nextPageToken;
    } while (pageToken);
    const expected = sim.control
      .listUsers()
      .filter((u) => u.domain === 'example.com')
      .map((u) => u.emailAddress);
    expect(users.sort()).toEqual(expected.sort());
    const page = await client.listMessagesPage({
      mailbox: MAILBOX,
      view: 'INBOX',
      start: START,
      end: new Date(),
      pageSize: 2,
    });
    expect(Array.isArray(page.records[0].to)).toBe(true);
    expect(page.records[0].received).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
  });
});

describe('downloads', () => {
  const part = (client: MimecastClient, id: string, maxBytes = 10_000_000) =>
    client.getMessagePart({ id, mailbox: MAILBOX, type: 'RFC822', context: 'RECEIVED', maxBytes });

  it.each([
    ['bytes', 'same'],
    ['link', 'same'],
    ['links', 'same'],
    ['link', 'foreign'],
  ] as [SimulatorSwitches['download'], SimulatorSwitches['linkOrigin']][])(
    'downloads RFC822 served as %s (%s origin)',
    async (download, linkOrigin) => {
      sim.control.setSwitches({ download, linkOrigin });
      const [msg] = sim.control.expectedMessages(MAILBOX, 'INBOX');
      const rec = recordingDispatcher();
      const client = newProvider({ dispatcher: rec.dispatcher }).forSettings(settingsFor());
      const scope = new CallScope();
      const bytes = await part(client.withCallScope(scope), msg.id);
      expect(bytes.equals(await sim.control.messageRfc822Async(msg.id))).toBe(true);
      expect(scope.counters.linkGets).toBe(download === 'bytes' ? 0 : 1);
      expect(sim.control.foreignAuthorizationSeen()).toBe(false);
      const foreignOrigin = new URL(sim.foreignUrl).origin;
      const toForeign = rec.sent.filter((s) => s.origin === foreignOrigin);
      expect(toForeign.length).toBe(linkOrigin === 'foreign' && download !== 'bytes' ? 1 : 0);
      expect(toForeign.every((s) => s.authorization === undefined)).toBe(true);
      await rec.agent.close();
    },
  );

  it('downloads an attachment with get-file and checks its size', async () => {
    sim.control.setSwitches({ download: 'link', linkOrigin: 'foreign' });
    const client = newProvider().forSettings(settingsFor());
    const withAttachment = sim.control.expectedMessages(MAILBOX, 'INBOX').find((m) => m.attachmentCount > 0);
    expect(withAttachment).toBeDefined();
    const detail = await client.getMessageDetail(withAttachment!.id);
    const att = detail.attachments[0];
    const bytes = await client.getFile({ id: att.id, maxBytes: 50_000_000 });
    expect(bytes.equals(sim.control.attachmentBytes(att.id))).toBe(true);
    expect(bytes.length).toBe(att.size);
  });

  it.each(['bytes', 'link'] as const)(
    'refuses a download past maxBytes (%s) with an OversizeError',
    async (download) => {
      sim.control.setSwitches({ download, linkOrigin: 'foreign' });
      const [msg] = sim.control.expectedMessages(MAILBOX, 'INBOX');
      const client = newProvider().forSettings(settingsFor());
      await expect(part(client, msg.id, 100)).rejects.toMatchObject({
        name: 'OversizeError',
        kind: 'item',
        maxBytes: 100,
      });
    },
  );
});

describe('refused hosts', () => {
  it.each([
    ['another host', 'https://evil.example.com', /for credential "default": host not allowed/],
    ['plain http off loopback', 'http://api.services.mimecast.com', /plain HTTP/],
    ['an API 1.0 host', 'https://eu-api.mimecast.com', /API 1\.0/],
  ])('refuses %s before sending anything', (_what, apiEndpoint, message) => {
    const provider = newProvider();
    expect(() =>
      provider.forSettings(
        settingsFor({ connection: { apiEndpoint, authEndpoint: `${sim.url}/oauth/token` } }),
      ),
    ).toThrow(message);
    expect(() =>
      provider.forSettings(
        settingsFor({ connection: { apiEndpoint: sim.url, authEndpoint: `${apiEndpoint}/oauth/token` } }),
      ),
    ).toThrow(SourceError);
    expect(sim.control.counters()).toEqual({});
  });

  it('refuses the simulator on loopback without the development switch, unless the credential names its port', async () => {
    const { MIMECAST_DEV_HOSTS: _switch, ...withoutSwitch } = ENV;
    const settings = settingsFor({
      connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
    });
    const plain = new MimecastClientProvider({ env: withoutSwitch, logger: captureLogger().logger });
    providers.push(plain);
    expect(() => plain.forSettings(settings)).toThrow(
      /connection\.apiEndpoint: refusing http:\/\/127\.0\.0\.1:\d+ for credential "default": loopback .* MIMECAST_DEV_HOSTS=loopback/,
    );
    expect(sim.control.counters()).toEqual({});
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials.json');
    const credential = { clientId: ENV.MIMECAST_CLIENT_ID, clientSecret: ENV.MIMECAST_CLIENT_SECRET };
    writeFileSync(file, JSON.stringify({ default: { ...credential, apiHosts: [sim.url] } }));
    const pinned = new MimecastClientProvider({
      env: { MIMECAST_CREDENTIALS_FILE: file },
      logger: captureLogger().logger,
    });
    providers.push(pinned);
    await expect(pinned.forSettings(settings).listInternalDomains()).resolves.not.toHaveLength(0);
  });

  it('refuses a missing credential with a clear message', () => {
    const provider = new MimecastClientProvider({ env: {}, logger: captureLogger().logger });
    providers.push(provider);
    expect(() =>
      provider.forSettings(
        settingsFor({
          connection: { credential: 'emea', apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
        }),
      ),
    ).toThrow(/credential "emea" is not configured/);
  });
});

describe('tracing', () => {
  it('never logs the secret or the token at trace level All', async () => {
    sim.control.setSwitches({ download: 'link', linkOrigin: 'same' });
    const { lines, logger } = captureLogger();
    const rec = recordingDispatcher();
    const client = newProvider({ logger, dispatcher: rec.dispatcher }).forSettings(
      settingsFor({ logging: { traceLevel: 'All', statsIntervalSeconds: 0 } }),
    );
    const [msg] = sim.control.expectedMessages(MAILBOX, 'INBOX');
    await client.listInternalDomains();
    await client.listMessagesPage({
      mailbox: MAILBOX,
      view: 'INBOX',
      start: START,
      end: new Date(),
      pageSize: 2,
    });
    await client.getMessagePart({
      id: msg.id,
      mailbox: MAILBOX,
      type: 'RFC822',
      context: 'RECEIVED',
      maxBytes: 1e7,
    });
    sim.control.advanceClock(1800 * 1000);
    await client.listInternalDomains();
    const tokens = [
      ...new Set(
        rec.sent.map((s) => s.authorization?.replace(/^Bearer /, '')).filter((t): t is string => Boolean(t)),
      ),
    ];
    expect(tokens.length).toBe(2);
    const text = JSON.stringify(lines);
    expect(lines.filter((l) => l.msg === 'mimecast api call').length).toBeGreaterThanOrEqual(7);
    expect(text).toContain('/api/archive/get-message-list');
    expect(text).toContain('"request"');
    expect(text).not.toContain('sim-secret');
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/__download\/[A-Za-z0-9_-]+/);
    await rec.agent.close();
  });

  it('logs nothing at trace level None', async () => {
    const { lines, logger } = captureLogger();
    const client = newProvider({ logger }).forSettings(
      settingsFor({ logging: { traceLevel: 'None', statsIntervalSeconds: 0 } }),
    );
    await client.listInternalDomains();
    expect(lines.filter((l) => l.msg === 'mimecast api call')).toEqual([]);
  });

  it('writes a stats line per interval with calls, 429s and endpoints', async () => {
    const { lines, logger } = captureLogger();
    const client = newProvider({ logger }).forSettings(
      settingsFor({ logging: { traceLevel: 'None', statsIntervalSeconds: 1 } }),
    );
    await client.listInternalDomains();
    await client.listInternalDomains();
    await new Promise((r) => setTimeout(r, 1200));
    const stats = lines.find((l) => l.msg === 'mimecast api stats')?.obj.mimecastStats;
    expect(stats).toMatchObject({ httpErrors: 0, throttled: 0 });
    expect(stats.endpoints['/api/domain/get-internal-domain'].calls).toBe(2);
  });
});

describe('throttling', () => {
  it('pauses every caller of the credential after a 429 until the advised time has passed', async () => {
    // Bucket of 4 calls per second; X-RateLimit-Reset (ms) × retryAfterMultiplier 1000 / 1000 s.
    sim.control.setFaults({ rateLimit: { limit: 4, windowMs: 1000 } });
    const { lines, logger } = captureLogger();
    const provider = newProvider({ logger });
    const settings = settingsFor({
      logging: { traceLevel: 'Calls', statsIntervalSeconds: 0 },
      performance: { retryAfterMultiplier: 1000 },
    });
    const clients = [provider.forSettings(settings), provider.forSettings(settings)];
    const scopes = [new CallScope(), new CallScope()];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => clients[i % 2].withCallScope(scopes[i % 2]).listInternalDomains()),
    );

    const calls = lines
      .filter((l) => l.msg === 'mimecast api call' && l.obj.mimecastTrace.endpoint.startsWith('/api/'))
      .map((l) => ({
        sent: l.at - l.obj.mimecastTrace.ms,
        answered: l.at,
        status: l.obj.mimecastTrace.status,
        note: l.obj.mimecastTrace.note as string | undefined,
      }));
    const throttled = calls.filter((c) => c.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Thanks to the shared pause and the one-at-a-time release, 429s stay near the first burst.
    expect(throttled.length).toBeLessThanOrEqual(16);
    for (const t of throttled) {
      const waitMs = Number(/waits (\d+) ms/.exec(t.note ?? '')?.[1]);
      expect(waitMs).toBeGreaterThan(0);
      // No call of this credential was SENT inside the advised pause (2 ms of timer slack).
      const inside = calls.filter((c) => c.sent > t.answered + 2 && c.sent < t.answered + waitMs - 2);
      expect(inside).toEqual([]);
    }
    const waited = scopes[0].counters.throttleWaitMs + scopes[1].counters.throttleWaitMs;
    expect(waited).toBeGreaterThan(0);
    expect(scopes[0].counters.throttled + scopes[1].counters.throttled).toBe(throttled.length);
  });

  it('slows down before the quota runs out, so a steady caller meets no 429', async () => {
    // 5 calls per 250 ms: a sequential caller empties the bucket quickly, the gate spreads the rest.
    sim.control.setFaults({ rateLimit: { limit: 5, windowMs: 250 } });
    const client = newProvider().forSettings(
      settingsFor({ logging: { traceLevel: 'None', statsIntervalSeconds: 0 } }),
    );
    const scope = new CallScope();
    const scoped = client.withCallScope(scope);
    for (let i = 0; i < 30; i++) await scoped.listInternalDomains();
    expect(sim.control.counters()['429']).toBeUndefined();
    expect(scope.counters.throttled).toBe(0);
    // The slow-down was real waiting, not luck.
    expect(scope.counters.throttleWaitMs).toBeGreaterThan(0);
  });
});
