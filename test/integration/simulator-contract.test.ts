// Contract tests of the Mimecast API 2.0 simulator: every endpoint, quirk, switch and fault of simulator/README.md.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  startSimulator,
  parseFaultSpec,
  formatMimecastDate,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../simulator';
import { serializeMimeNode } from '../../simulator/message-builder';
import { contentTrickles, recordDefect } from '../../simulator/message-faults';
import { runSimulatorCommand } from '../../simulator/cli';
import { DEFAULT_FAULTS, DEFAULT_SWITCHES } from '../../simulator/fault-spec';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ALL_TIME = { start: '2000-01-01T00:00:00+0000', end: '2099-12-31T23:59:59+0000' };

async function getToken(
  sim: RunningSimulator,
  clientId = 'sim-client',
  clientSecret = 'sim-secret',
): Promise<string> {
  const r = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { access_token: string }).access_token;
}

type Json = any;

async function call(
  sim: RunningSimulator,
  token: string | null,
  path: string,
  body: unknown,
  method = 'POST',
) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: method === 'GET' ? undefined : JSON.stringify(body),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const ct = res.headers.get('content-type') ?? '';
  let json: Json = null;
  if (ct.includes('application/json')) {
    try {
      json = JSON.parse(buf.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, buf, json, ct };
}

async function listAll(sim: RunningSimulator, token: string, item: Record<string, unknown>, pageSize = 100) {
  const ids: string[] = [];
  const pages: number[] = [];
  let pageToken: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const r = await call(sim, token, '/api/archive/get-message-list', {
      meta: { pagination: { pageSize, ...(pageToken ? { pageToken } : {}) } },
      data: [item],
    });
    expect(r.status).toBe(200);
    expect(r.json.fail).toEqual([]);
    const data = r.json.data as { id: string }[];
    pages.push(data.length);
    ids.push(...data.map((d) => d.id));
    pageToken = r.json.meta.pagination.next;
    if (!pageToken || data.length === 0) break;
  }
  return { ids, pages };
}

describe('simulator contract', () => {
  let sim: RunningSimulator;
  let token: string;
  let now = Date.UTC(2026, 5, 15, 12, 0, 0);
  const clock = () => now;

  beforeAll(async () => {
    sim = await startSimulator({ preset: 'small', seed: 7, clock });
    token = await getToken(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    // Every case starts from the faithful defaults.
    sim.control.setSwitches(structuredClone(DEFAULT_SWITCHES));
    sim.control.setFaults(structuredClone(DEFAULT_FAULTS));
  });

  describe('auth', () => {
    it('issues a Bearer token from form-encoded client credentials, with expires_in 1799 and no refresh token', async () => {
      const r = await fetch(`${sim.url}/oauth/token`, {
        method: 'POST',
        headers: FORM,
        body: 'grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret',
      });
      const body = (await r.json()) as Json;
      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 1799,
        scope: '',
      });
      expect(body.refresh_token).toBeUndefined();
    });

    it('rejects unknown credentials, JSON bodies and other grant types', async () => {
      const bad = await fetch(`${sim.url}/oauth/token`, {
        method: 'POST',
        headers: FORM,
        body: 'grant_type=client_credentials&client_id=sim-client&client_secret=nope',
      });
      expect(bad.status).toBe(401);
      const json = await fetch(`${sim.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'sim-client' }),
      });
      expect(json.status).toBe(400);
      const grant = await fetch(`${sim.url}/oauth/token`, {
        method: 'POST',
        headers: FORM,
        body: 'grant_type=password&client_id=sim-client&client_secret=sim-secret',
      });
      expect(grant.status).toBe(400);
    });

    it('answers 401 for missing and unknown tokens, in each body shape', async () => {
      const missing = await call(sim, null, '/api/domain/get-internal-domain', { data: [] });
      expect(missing.status).toBe(401);
      expect(missing.json.fail[0].errors[0].code).toBe('token_missing');
      sim.control.setSwitches({ unauthorizedBody: 'flat' });
      const flat = await call(sim, 'not-a-token', '/api/domain/get-internal-domain', { data: [] });
      expect(flat.status).toBe(401);
      expect(flat.json.fail[0].code).toBe('token_invalid');
      sim.control.setSwitches({ unauthorizedBody: 'oauth' });
      const oauth = await call(sim, 'not-a-token', '/api/domain/get-internal-domain', { data: [] });
      expect(oauth.json).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    });

    it('expires tokens after expires_in by the injectable clock', async () => {
      const t = await getToken(sim);
      expect((await call(sim, t, '/api/domain/get-internal-domain', { data: [] })).status).toBe(200);
      now += 1798_000;
      expect((await call(sim, t, '/api/domain/get-internal-domain', { data: [] })).status).toBe(200);
      now += 2_000;
      const r = await call(sim, t, '/api/domain/get-internal-domain', { data: [] });
      expect(r.status).toBe(401);
      expect(r.json.fail[0].errors[0].code).toBe('token_expired');
      token = await getToken(sim);
    });

    it('expires tokens early with the expire fault, while expires_in still says 1799', async () => {
      sim.control.setFaults(parseFaultSpec('expire=5'));
      const t = await getToken(sim);
      expect((await call(sim, t, '/api/domain/get-internal-domain', { data: [] })).status).toBe(200);
      now += 5_000;
      expect((await call(sim, t, '/api/domain/get-internal-domain', { data: [] })).status).toBe(401);
      sim.control.setFaults({ tokenExpireSeconds: null });
      token = await getToken(sim);
    });
  });

  describe('envelope and validation', () => {
    it('accepts POST only and answers 404 for unknown paths', async () => {
      expect((await call(sim, token, '/api/archive/get-message-list', null, 'GET')).status).toBe(405);
      expect((await call(sim, token, '/api/archive/nope', { data: [] })).status).toBe(404);
    });

    it('puts meta.status, data and fail on every JSON reply and reports function errors at HTTP 200', async () => {
      const r = await call(sim, token, '/api/archive/get-message-detail', { data: [{}] });
      expect(r.status).toBe(200);
      expect(r.json.meta.status).toBe(200);
      expect(r.json.data).toEqual([]);
      expect(r.json.fail).toEqual([
        {
          key: {},
          errors: [
            { code: 'err_validation_null', message: expect.any(String), retryable: false, field: 'id' },
          ],
        },
      ]);
      const blank = await call(sim, token, '/api/archive/get-message-detail', { data: [{ id: '  ' }] });
      expect(blank.json.fail[0].errors[0].code).toBe('err_validation_blank');
      expect(blank.json.fail[0].key).toEqual({ id: '  ' });
      const email = await call(sim, token, '/api/archive/get-message-list', {
        data: [{ mailbox: 'not-an-address', view: 'INBOX' }],
      });
      expect(email.json.fail[0].errors[0]).toMatchObject({
        code: 'err_validation_invalid_email_address',
        field: 'mailbox',
      });
    });

    it('requires exactly one data item for archive calls, at most one for users, at most 500 for domains', async () => {
      for (const path of [
        '/api/archive/get-message-list',
        '/api/archive/get-message-detail',
        '/api/archive/get-message-part',
        '/api/archive/get-file',
      ]) {
        expect((await call(sim, token, path, { data: [] })).json.fail.length).toBeGreaterThan(0);
        expect(
          (await call(sim, token, path, { data: [{ id: 'a' }, { id: 'b' }] })).json.fail.length,
        ).toBeGreaterThan(0);
      }
      const users = await call(sim, token, '/api/user/get-internal-users', {
        data: [{ domain: 'example.com' }, { domain: 'example.org' }],
      });
      expect(users.json.fail.length).toBe(2);
      const domains = await call(sim, token, '/api/domain/get-internal-domain', {
        data: Array.from({ length: 501 }, () => ({ domain: 'example.com' })),
      });
      expect(domains.json.fail.length).toBe(1);
      const ok500 = await call(sim, token, '/api/domain/get-internal-domain', {
        data: Array.from({ length: 500 }, () => ({ domain: 'example.com' })),
      });
      expect(ok500.json.fail).toEqual([]);
    });

    it('answers a malformed or truncated id with 400 and an empty body', async () => {
      const [first] = sim.control.expectedMessages(sim.control.mailboxes()[0], 'INBOX');
      for (const path of ['/api/archive/get-message-detail', '/api/archive/get-message-part']) {
        const r = await call(sim, token, path, {
          data: [{ id: first.id.slice(0, -6), type: 'RFC822', context: 'RECEIVED' }],
        });
        expect(r.status).toBe(400);
        expect(r.buf.length).toBe(0);
      }
      const f = await call(sim, token, '/api/archive/get-file', { data: [{ id: 'eNpVgarbage' }] });
      expect(f.status).toBe(400);
      expect(f.buf.length).toBe(0);
    });
  });

  describe('directory', () => {
    it('lists internal domains directly in data[], one flagged local', async () => {
      const r = await call(sim, token, '/api/domain/get-internal-domain', { data: [] });
      expect(r.json.data.length).toBeGreaterThanOrEqual(3);
      for (const d of r.json.data)
        expect(Object.keys(d).sort()).toEqual(['domain', 'id', 'inboundType', 'local', 'sendOnly']);
      expect(r.json.data.filter((d: Json) => d.local)).toHaveLength(1);
      const one = await call(sim, token, '/api/domain/get-internal-domain', {
        data: [{ domain: 'example.org' }],
      });
      expect(one.json.data.map((d: Json) => d.domain)).toEqual(['example.org']);
    });

    it('pages users in data[0].users with userCount, including aliases, DLs and created_by_email entries', async () => {
      const users: Json[] = [];
      let pageToken: string | undefined;
      let userCount = 0;
      do {
        const r = await call(sim, token, '/api/user/get-internal-users', {
          meta: { pagination: { pageSize: 3, ...(pageToken ? { pageToken } : {}) } },
          data: [{ domain: 'example.com' }],
        });
        expect(r.json.data).toHaveLength(1);
        users.push(...r.json.data[0].users);
        userCount = r.json.data[0].userCount;
        pageToken = r.json.meta.pagination.next;
      } while (pageToken);
      expect(users).toHaveLength(userCount);
      expect(users.some((u) => u.alias)).toBe(true);
      expect(users.some((u) => u.addressType === 'dl_from_ldap')).toBe(true);
      expect(users.some((u) => u.addressType === 'created_by_email')).toBe(true);
      for (const u of users)
        expect(Object.keys(u).sort()).toEqual(['addressType', 'alias', 'emailAddress', 'name']);
      const mailboxes = users
        .filter((u) => !u.alias && !['dl_from_ldap', 'created_by_email'].includes(u.addressType))
        .map((u) => u.emailAddress);
      expect(mailboxes.sort()).toEqual(
        sim.control
          .mailboxes()
          .filter((m) => m.endsWith('@example.com'))
          .sort(),
      );
    });
  });

  describe('get-message-list', () => {
    const mailboxWithMost = () => {
      const boxes = sim.control.mailboxes();
      return boxes.reduce((a, b) =>
        sim.control.expectedMessages(b, 'INBOX').length > sim.control.expectedMessages(a, 'INBOX').length
          ? b
          : a,
      );
    };

    it('pages through a mailbox newest first, matching the ground truth, with records directly in data[]', async () => {
      const mb = mailboxWithMost();
      const expected = sim.control.expectedMessages(mb, 'INBOX');
      expect(expected.length).toBeGreaterThan(300);
      const { ids, pages } = await listAll(sim, token, { mailbox: mb, view: 'INBOX', ...ALL_TIME }, 100);
      expect(ids).toEqual(expected.map((e) => e.id));
      expect(pages.slice(0, -1).every((n) => n === 100)).toBe(true);
      const first = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 5 } },
        data: [{ mailbox: mb, view: 'INBOX', ...ALL_TIME }],
      });
      const rec = first.json.data[0];
      expect(Object.keys(rec).sort()).toEqual([
        'attachmentCount',
        'ccm',
        'expired',
        'from',
        'id',
        'read',
        'recalled',
        'received',
        'size',
        'smash',
        'status',
        'subject',
        'to',
      ]);
      expect(rec.received).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      expect(rec.id.length).toBeGreaterThan(100);
      expect(rec.to).toEqual({ emailAddress: expect.any(String), displayableName: expect.any(String) });
      expect(first.json.meta.pagination).toMatchObject({
        pageSize: 5,
        totalCount: expected.length,
        next: expect.any(String),
      });
      expect(first.json.meta.pagination.previous).toBeUndefined();
      const second = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 5, pageToken: first.json.meta.pagination.next } },
        data: [{ mailbox: mb, view: 'INBOX', ...ALL_TIME }],
      });
      expect(second.json.meta.pagination.previous).toEqual(expect.any(String));
    });

    it('has many messages sharing one received second across a page boundary', () => {
      const expected = sim.control.expectedMessages(mailboxWithMost(), 'INBOX');
      const bySecond = new Map<string, number>();
      for (const e of expected) bySecond.set(e.received, (bySecond.get(e.received) ?? 0) + 1);
      expect(Math.max(...bySecond.values())).toBeGreaterThan(100);
    });

    it('honours oldest-first and unstable orders (unstable: same set, stable within one paging run)', async () => {
      const mb = mailboxWithMost();
      const expected = sim.control.expectedMessages(mb, 'INBOX').map((e) => e.id);
      sim.control.setSwitches({ listOrder: 'oldest-first' });
      expect((await listAll(sim, token, { mailbox: mb, view: 'INBOX', ...ALL_TIME })).ids).toEqual(
        [...expected].reverse(),
      );
      sim.control.setSwitches({ listOrder: 'unstable' });
      const a = (await listAll(sim, token, { mailbox: mb, view: 'INBOX', ...ALL_TIME })).ids;
      const b = (await listAll(sim, token, { mailbox: mb, view: 'INBOX', ...ALL_TIME })).ids;
      expect(new Set(a).size).toBe(expected.length);
      expect([...a].sort()).toEqual([...expected].sort());
      expect(a).not.toEqual(b);
    });

    it('filters inclusively on received, and defaults to last calendar month .. end of today', async () => {
      const mb = mailboxWithMost();
      const all = sim.control.expectedMessages(mb, 'INBOX');
      const pivot = all[Math.floor(all.length / 3)];
      const later = all.filter((e) => e.receivedAt.getTime() >= pivot.receivedAt.getTime());
      const r = await listAll(
        sim,
        token,
        { mailbox: mb, view: 'INBOX', start: pivot.received, end: ALL_TIME.end },
        500,
      );
      expect(r.ids.sort()).toEqual(later.map((e) => e.id).sort());
      const exact = await listAll(
        sim,
        token,
        { mailbox: mb, view: 'INBOX', start: pivot.received, end: pivot.received },
        500,
      );
      expect(exact.ids).toContain(pivot.id);
      const d = new Date(now);
      const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
      const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 23, 59, 59));
      const defaults = await listAll(sim, token, { mailbox: mb, view: 'INBOX' }, 500);
      expect(defaults.ids.sort()).toEqual(
        sim.control
          .expectedMessages(mb, 'INBOX', { start, end })
          .map((e) => e.id)
          .sort(),
      );
      const badDate = await call(sim, token, '/api/archive/get-message-list', {
        data: [{ mailbox: mb, view: 'INBOX', start: '2024-01-01' }],
      });
      expect(badDate.json.fail[0].errors[0].field).toBe('start');
    });

    it('lists SENT, honours includeAliases and includeDelegates, and lists an alias address', async () => {
      const [alice, bob] = sim.control.mailboxes();
      const sent = await listAll(sim, token, { mailbox: alice, view: 'SENT', ...ALL_TIME });
      expect(sent.ids).toEqual(sim.control.expectedMessages(alice, 'SENT').map((e) => e.id));
      const withAliases = await listAll(sim, token, {
        mailbox: alice,
        view: 'INBOX',
        includeAliases: true,
        ...ALL_TIME,
      });
      const noAliases = await listAll(sim, token, {
        mailbox: alice,
        view: 'INBOX',
        includeAliases: false,
        ...ALL_TIME,
      });
      expect(noAliases.ids.length).toBeLessThan(withAliases.ids.length);
      const alias = sim.control
        .listUsers()
        .find((u) => u.alias && u.emailAddress.startsWith('alice'))!.emailAddress;
      const viaAlias = await listAll(sim, token, { mailbox: alias, view: 'INBOX', ...ALL_TIME });
      expect(viaAlias.ids.length).toBe(withAliases.ids.length - noAliases.ids.length);
      const own = await listAll(sim, token, { mailbox: bob, view: 'INBOX', ...ALL_TIME });
      const delegated = await listAll(sim, token, {
        mailbox: bob,
        view: 'INBOX',
        includeDelegates: true,
        ...ALL_TIME,
      });
      expect(delegated.ids.length).toBeGreaterThan(own.ids.length);
      const dl = sim.control.listUsers().find((u) => u.addressType === 'dl_from_ldap')!.emailAddress;
      expect((await listAll(sim, token, { mailbox: dl, view: 'INBOX', ...ALL_TIME })).ids).toEqual([]);
    });

    it('caps pageSize at the configured cap', async () => {
      const mb = mailboxWithMost();
      sim.control.setSwitches({ pageSizeCap: 50 });
      const r = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 1000 } },
        data: [{ mailbox: mb, view: 'INBOX', ...ALL_TIME }],
      });
      expect(r.json.data).toHaveLength(50);
      expect(r.json.meta.pagination.pageSize).toBe(50);
    });

    it('binds page tokens to their query and expires them', async () => {
      const [alice, bob] = sim.control.mailboxes();
      const first = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2 } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      const next = first.json.meta.pagination.next;
      const other = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2, pageToken: next } },
        data: [{ mailbox: bob, view: 'INBOX', ...ALL_TIME }],
      });
      expect(other.json.fail[0].errors[0]).toMatchObject({
        code: 'err_validation_page_token_mismatch',
        field: 'pageToken',
      });
      const otherEnd = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2, pageToken: next } },
        data: [{ mailbox: alice, view: 'INBOX', start: ALL_TIME.start, end: '2098-01-01T00:00:00+0000' }],
      });
      expect(otherEnd.json.fail).toHaveLength(1);
      const garbage = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2, pageToken: 'x' + next } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      expect(garbage.json.fail[0].errors[0].code).toBe('err_validation_invalid_page_token');
      sim.control.setSwitches({ pageTokenBinding: false });
      const unbound = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2, pageToken: next } },
        data: [{ mailbox: bob, view: 'INBOX', ...ALL_TIME }],
      });
      expect(unbound.json.fail).toEqual([]);
      sim.control.setSwitches({ pageTokenBinding: true, pageTokenTtlSeconds: 60 });
      now += 61_000;
      const expired = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 2, pageToken: next } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      expect(expired.json.fail[0].errors[0].code).toBe('err_validation_page_token_expired');
    });

    it('ends with no next, or with an empty last page that still carries next', async () => {
      const [alice] = sim.control.mailboxes();
      const n = sim.control.expectedMessages(alice, 'INBOX').length;
      const noNext = await listAll(sim, token, { mailbox: alice, view: 'INBOX', ...ALL_TIME }, n);
      expect(noNext.pages).toEqual([n]);
      sim.control.setSwitches({ lastPage: 'empty-with-next' });
      const withNext = await listAll(sim, token, { mailbox: alice, view: 'INBOX', ...ALL_TIME }, n);
      expect(withNext.pages).toEqual([n, 0]);
      const first = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: n } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      const last = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: n, pageToken: first.json.meta.pagination.next } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      expect(last.json.data).toEqual([]);
      expect(last.json.meta.pagination.next).toEqual(expect.any(String));
    });

    it('switches the shape of `to` between an object and an array', async () => {
      const [alice] = sim.control.mailboxes();
      sim.control.setSwitches({ listToShape: 'array' });
      const r = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 3 } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      expect(Array.isArray(r.json.data[0].to)).toBe(true);
    });

    it('can omit totalCount', async () => {
      const [alice] = sim.control.mailboxes();
      sim.control.setSwitches({ totalCount: false });
      const r = await call(sim, token, '/api/archive/get-message-list', {
        meta: { pagination: { pageSize: 3 } },
        data: [{ mailbox: alice, view: 'INBOX', ...ALL_TIME }],
      });
      expect(r.json.meta.pagination.totalCount).toBeUndefined();
      expect(r.json.meta.pagination.next).toEqual(expect.any(String));
      sim.control.setSwitches({ totalCount: true });
    });

    it('lists the same message (same id) in several mailboxes', () => {
      const seen = new Map<string, number>();
      for (const mb of sim.control.mailboxes())
        for (const v of ['INBOX', 'SENT'] as const)
          for (const e of sim.control.expectedMessages(mb, v)) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      expect([...seen.values()].some((n) => n >= 2)).toBe(true);
    });
  });

  describe('detail, parts and files', () => {
    const withAttachments = () => {
      for (const mb of sim.control.mailboxes()) {
        const hit = sim.control.expectedMessages(mb, 'INBOX').find((e) => e.attachmentCount > 0);
        if (hit) return hit;
      }
      throw new Error('no message with attachments');
    };

    it('returns detail with to/cc arrays and attachments whose sha256 and size match get-file', async () => {
      const msg = withAttachments();
      const r = await call(sim, token, '/api/archive/get-message-detail', { data: [{ id: msg.id }] });
      expect(r.json.data).toHaveLength(1);
      const d = r.json.data[0];
      expect(Array.isArray(d.to)).toBe(true);
      expect(Array.isArray(d.cc)).toBe(true);
      expect(d.size).toBe(sim.control.messageRfc822(msg.id).length);
      expect(d.attachments).toHaveLength(msg.attachmentCount);
      for (const a of d.attachments) {
        expect(Object.keys(a).sort()).toEqual([
          'bodyType',
          'contentId',
          'contentType',
          'extension',
          'filename',
          'id',
          'sha256',
          'size',
        ]);
        const f = await call(sim, token, '/api/archive/get-file', { data: [{ id: a.id }] });
        expect(f.status).toBe(200);
        expect(f.ct).not.toContain('json');
        expect(f.buf.length).toBe(a.size);
        expect(createHash('sha256').update(f.buf).digest('hex')).toBe(a.sha256);
      }
    });

    it('serves RFC822 (RECEIVED and DELIVERED), PLAIN and HTML as raw bytes with a non-JSON content type', async () => {
      const msg = withAttachments();
      const rfc = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED', mailbox: sim.control.mailboxes()[0] }],
      });
      expect(rfc.ct).not.toContain('json');
      expect(rfc.buf.equals(sim.control.messageRfc822(msg.id))).toBe(true);
      const delivered = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'DELIVERED' }],
      });
      expect(delivered.buf.toString()).toContain('protect-eu.mimecast.com');
      const plain = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'PLAIN', context: 'RECEIVED' }],
      });
      expect(plain.ct).toContain('text/plain');
      expect(plain.buf.toString()).toContain('simmsg');
      const parsed = await simpleParser(rfc.buf);
      expect(parsed.attachments.length).toBeGreaterThanOrEqual(1);
      const bad = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'PDF', context: 'RECEIVED' }],
      });
      expect(bad.json.fail[0].errors[0].field).toBe('type');
    });

    it('varies or omits Content-Length and Content-Disposition on downloads', async () => {
      const msg = withAttachments();
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const r = await call(sim, token, '/api/archive/get-message-part', {
          data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
        });
        seen.add(`${r.headers.has('content-length')}/${r.headers.has('content-disposition')}`);
      }
      expect(seen.size).toBeGreaterThanOrEqual(2);
    });

    it('refuses RFC822 for chosen ids while PLAIN/HTML/get-file still work', async () => {
      const msg = withAttachments();
      sim.control.setSwitches({ rfc822Refused: [msg.id] });
      const r = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
      });
      expect(r.status).toBe(200);
      expect(r.json.fail[0].errors[0].code).toBe('err_message_part_unavailable');
      const plain = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'PLAIN', context: 'RECEIVED' }],
      });
      expect(plain.ct).toContain('text/plain');
    });

    it('serves downloads as single-use JSON links (url or urls[]) on the same host, accepting the Bearer token', async () => {
      const msg = withAttachments();
      sim.control.setSwitches({ download: 'link' });
      const r = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
      });
      expect(r.ct).toContain('application/json');
      const url = r.json.data[0].url as string;
      expect(url.startsWith(sim.url)).toBe(true);
      const got = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(Buffer.from(await got.arrayBuffer()).equals(sim.control.messageRfc822(msg.id))).toBe(true);
      const again = await fetch(url);
      expect(again.status).toBe(410);
      expect(((await again.json()) as Json).fail[0].errors[0].code).toBe('err_link_already_used');
      sim.control.setSwitches({ download: 'links' });
      const d = await call(sim, token, '/api/archive/get-message-detail', { data: [{ id: msg.id }] });
      const f = await call(sim, token, '/api/archive/get-file', {
        data: [{ id: d.json.data[0].attachments[0].id }],
      });
      expect(f.json.data[0].urls).toHaveLength(1);
      const file = Buffer.from(await (await fetch(f.json.data[0].urls[0])).arrayBuffer());
      expect(createHash('sha256').update(file).digest('hex')).toBe(d.json.data[0].attachments[0].sha256);
      expect(sim.control.counters()['link-get']).toBeGreaterThanOrEqual(3);
    });

    it('points foreign links at another origin and records whether it received an Authorization header', async () => {
      const msg = withAttachments();
      sim.control.setSwitches({ download: 'link', linkOrigin: 'foreign' });
      const r = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
      });
      const url = r.json.data[0].url as string;
      expect(url.startsWith(sim.foreignUrl)).toBe(true);
      expect(new URL(url).origin).not.toBe(new URL(sim.url).origin);
      await (await fetch(url)).arrayBuffer();
      expect(sim.control.foreignAuthorizationSeen()).toBe(false);
      const r2 = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
      });
      await (
        await fetch(r2.json.data[0].url, { headers: { authorization: `Bearer ${token}` } })
      ).arrayBuffer();
      expect(sim.control.foreignAuthorizationSeen()).toBe(true);
    });

    it('answers fail[] at 200 for chosen ids and for deleted messages', async () => {
      const msg = withAttachments();
      sim.control.setFaults({ failIds: [msg.id] });
      const r = await call(sim, token, '/api/archive/get-message-detail', { data: [{ id: msg.id }] });
      expect(r.status).toBe(200);
      expect(r.json.fail[0].key).toEqual({ id: msg.id });
    });
  });

  describe('rate limiting and faults', () => {
    it('sends X-RateLimit-* on every response and enforces one bucket per credential without executing', async () => {
      const s = await startSimulator({
        preset: 'tiny',
        credentials: [
          { clientId: 'a', clientSecret: 'x' },
          { clientId: 'b', clientSecret: 'y' },
        ],
        faults: { rateLimit: { limit: 5, windowMs: 60_000 }, retryAfterHeader: true },
      });
      try {
        const ta = await getToken(s, 'a', 'x');
        const tb = await getToken(s, 'b', 'y');
        s.control.resetCounters();
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof call>> | undefined;
        for (let i = 0; i < 6; i++) {
          last = await call(s, ta, '/api/domain/get-internal-domain', { data: [] });
          statuses.push(last.status);
          expect(last.headers.get('x-ratelimit-limit')).toBe('5');
          expect(last.headers.get('x-ratelimit-remaining')).not.toBeNull();
          expect(last.headers.get('x-ratelimit-reset')).not.toBeNull();
        }
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]); // the token call took one
        expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(1000);
        expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect((await call(s, tb, '/api/domain/get-internal-domain', { data: [] })).status).toBe(200);
        expect(s.control.counters()['429']).toBe(2);
      } finally {
        await s.close();
      }
    });

    it('quota=Q: Q calls per second in one bucket per app, shared by all its clients, refilled at Q/s', async () => {
      let at = Date.UTC(2026, 5, 15, 12, 0, 0);
      const s = await startSimulator({
        preset: 'tiny',
        clock: () => at,
        credentials: [
          { clientId: 'a', clientSecret: 'x' },
          { clientId: 'b', clientSecret: 'y' },
        ],
        faults: parseFaultSpec('quota=10'),
      });
      try {
        // Two workers of app "a" (each its own token) and one of app "b".
        const workers = [await getToken(s, 'a', 'x'), await getToken(s, 'a', 'x')];
        const other = await getToken(s, 'b', 'y');
        const domains = (t: string) => call(s, t, '/api/domain/get-internal-domain', { data: [] });
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) statuses.push((await domains(workers[i % 2]!)).status);
        // The two token requests took 2 of the 10: 8 calls pass, whichever worker makes them.
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
        const last = await domains(workers[0]!);
        expect(last.headers.get('x-ratelimit-limit')).toBe('10');
        expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(Number(last.headers.get('x-ratelimit-reset'))).toBe(100);
        expect((await domains(other)).status).toBe(200);
        // Refilled at Q per second: after 500 ms, 5 more calls between the two workers.
        at += 500;
        const refilled: number[] = [];
        for (let i = 0; i < 6; i++) refilled.push((await domains(workers[i % 2]!)).status);
        expect(refilled).toEqual([200, 200, 200, 200, 200, 429]);
        // Never more than Q banked, however long the app is idle.
        at += 60_000;
        const full = await domains(workers[1]!);
        expect(full.headers.get('x-ratelimit-remaining')).toBe('9');
      } finally {
        await s.close();
      }
    });

    it('injects seeded, reproducible 429s and 5xx', async () => {
      const run = async () => {
        const s = await startSimulator({ preset: 'tiny', seed: 99, faults: '429=0.3,5xx=0.2' });
        try {
          const t = await getToken(s);
          const out: number[] = [];
          for (let i = 0; i < 30; i++)
            out.push((await call(s, t, '/api/domain/get-internal-domain', { data: [] })).status);
          return { out, counters: s.control.counters() };
        } finally {
          await s.close();
        }
      };
      const a = await run();
      const b = await run();
      expect(a.out).toEqual(b.out);
      expect(a.out).toContain(429);
      expect(a.out.some((s) => s >= 500)).toBe(true);
      expect(a.counters['5xx']).toBeGreaterThan(0);
    });

    it('serves malformed JSON, latency and slow downloads on demand', async () => {
      sim.control.setFaults({ malformedJsonRate: 1 });
      const r = await call(sim, token, '/api/domain/get-internal-domain', { data: [] });
      expect(r.json).toBeUndefined();
      sim.control.setFaults({ malformedJsonRate: 0, latencyMs: 150 });
      let t0 = Date.now();
      await call(sim, token, '/api/domain/get-internal-domain', { data: [] });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      sim.control.setFaults({ latencyMs: 0, slowDownloadMs: 300 });
      const msg = sim.control.expectedMessages(sim.control.mailboxes()[0], 'INBOX')[0];
      t0 = Date.now();
      const slow = await call(sim, token, '/api/archive/get-message-part', {
        data: [{ id: msg.id, type: 'RFC822', context: 'RECEIVED' }],
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
      expect(slow.buf.equals(sim.control.messageRfc822(msg.id))).toBe(true);
    });

    it('[I10] serves odd list records for a share of messages, the same in every listing', async () => {
      const mailbox = sim.control.mailboxes()[0];
      sim.control.setFaults({ oddRecordShare: 0.3 });
      const faults = sim.control.faults();
      const expected = sim.control.expectedMessages(mailbox, 'INBOX');
      const item = { mailbox, view: 'INBOX', ...ALL_TIME };
      const list = async () => {
        const r = await call(sim, token, '/api/archive/get-message-list', {
          meta: { pagination: { pageSize: 500 } },
          data: [item],
        });
        return r.json.data as Record<string, unknown>[];
      };
      const records = await list();
      expect(await list()).toEqual(records);
      sim.control.setFaults({ oddRecordShare: 0 });
      expect(records).toHaveLength(expected.length);
      const seen = new Set<string>();
      records.forEach((record, i) => {
        const defect = recordDefect(faults, expected[i]!.id);
        if (defect === 'no-id') expect(record.id).toBeUndefined();
        else expect(record.id).toBe(expected[i]!.id);
        if (defect === 'no-received') expect(record.received).toBeUndefined();
        if (defect === 'bad-date') expect(Number.isNaN(Date.parse(String(record.received)))).toBe(true);
        if (defect === 'mistyped-size') expect(typeof record.size).toBe('string');
        if (!defect) expect(typeof record.size).toBe('number');
        if (defect) seen.add(defect);
      });
      expect([...seen].sort()).toEqual(['bad-date', 'mistyped-size', 'no-id', 'no-received']);
      expect(parseFaultSpec('odd=0.1,slow-share=0.05')).toEqual({ oddRecordShare: 0.1, slowShare: 0.05 });
    });

    it('[I10] lets only a share of messages trickle out (slow-share)', async () => {
      sim.control.setFaults({ slowDownloadMs: 400, slowShare: 0.5 });
      const faults = sim.control.faults();
      const messages = sim.control.expectedMessages(sim.control.mailboxes()[0], 'INBOX');
      const slowOne = messages.find((m) => contentTrickles(faults, m.id))!;
      const fastOne = messages.find((m) => !contentTrickles(faults, m.id))!;
      const timed = async (id: string) => {
        const t0 = Date.now();
        const r = await call(sim, token, '/api/archive/get-message-part', {
          data: [{ id, type: 'RFC822', context: 'RECEIVED' }],
        });
        expect(r.buf.equals(sim.control.messageRfc822(id))).toBe(true);
        return Date.now() - t0;
      };
      const slowMs = await timed(slowOne.id);
      const fastMs = await timed(fastOne.id);
      sim.control.setFaults({ slowDownloadMs: 0, slowShare: 0 });
      expect(slowMs).toBeGreaterThanOrEqual(250);
      expect(fastMs).toBeLessThan(250);
    });

    it('answers app_forbidden as 403 or as fail[] at 200, and a missing role as 403', async () => {
      sim.control.setSwitches({ forbiddenEndpoints: ['/api/archive/get-file'] });
      const a = await call(sim, token, '/api/archive/get-file', { data: [{ id: 'x' }] });
      expect(a.status).toBe(403);
      expect(a.json.fail[0].errors[0].code).toBe('app_forbidden');
      sim.control.setSwitches({ appForbidden: '200-fail' });
      const b = await call(sim, token, '/api/archive/get-file', { data: [{ id: 'x' }] });
      expect(b.status).toBe(200);
      expect(b.json.fail[0].errors[0].code).toBe('app_forbidden');
      sim.control.setSwitches({
        forbiddenEndpoints: [],
        roleMissingEndpoints: ['/api/archive/get-message-list'],
      });
      expect((await call(sim, token, '/api/archive/get-message-list', { data: [{}] })).status).toBe(403);
    });

    it('parses the CLI fault spec', () => {
      expect(
        parseFaultSpec(
          '429=0.3,5xx=0.05,latency=100,expire=5,retry-after,rate-limit=50/1000,fail=a|b,malformed=0.1,slow=20',
        ),
      ).toEqual({
        rate429: 0.3,
        rate5xx: 0.05,
        latencyMs: 100,
        tokenExpireSeconds: 5,
        retryAfterHeader: true,
        rateLimit: { limit: 50, windowMs: 1000 },
        failIds: ['a', 'b'],
        malformedJsonRate: 0.1,
        slowDownloadMs: 20,
      });
      expect(parseFaultSpec('rate429=0.1,latencyMs=50')).toEqual({ rate429: 0.1, latencyMs: 50 });
      expect(parseFaultSpec('quota=200')).toEqual({ rateLimit: { limit: 200, windowMs: 1000 } });
      expect(() => parseFaultSpec('quota=0')).toThrow();
      expect(() => parseFaultSpec('bogus=1')).toThrow();
    });
  });

  describe('control surface', () => {
    it('adds newer and late messages, deletes messages, removes and adds mailboxes, counts calls', async () => {
      const [alice, bob] = sim.control.mailboxes();
      const before = sim.control.expectedMessages(alice, 'INBOX').length;
      const added = sim.control.addMessages(alice, 3, { sameSecond: true });
      expect(new Set(added.map((a) => a.received)).size).toBe(1);
      const late = sim.control.addLateMessage(alice, 'INBOX', new Date(now - 30 * 86_400_000));
      const after = sim.control.expectedMessages(alice, 'INBOX');
      expect(after.length).toBe(before + 4);
      expect(
        after
          .slice(0, 3)
          .map((e) => e.id)
          .sort(),
      ).toEqual(added.map((a) => a.id).sort());
      expect(after.map((e) => e.id)).toContain(late.id);
      sim.control.deleteMessage(alice, 'INBOX', late.id);
      expect(sim.control.expectedMessages(alice, 'INBOX').map((e) => e.id)).not.toContain(late.id);
      const gone = await call(sim, token, '/api/archive/get-message-detail', { data: [{ id: late.id }] });
      expect(gone.json.fail[0].errors[0].code).toBe('err_message_not_found');
      sim.control.addMailbox('zed@example.com', 'example.com', 12);
      expect(sim.control.mailboxes()).toContain('zed@example.com');
      expect(
        (await listAll(sim, token, { mailbox: 'zed@example.com', view: 'INBOX', ...ALL_TIME })).ids.length,
      ).toBe(sim.control.expectedMessages('zed@example.com', 'INBOX').length);
      sim.control.removeMailbox('zed@example.com');
      expect(sim.control.mailboxes()).not.toContain('zed@example.com');
      sim.control.resetCounters();
      await call(sim, token, '/api/archive/get-message-list', { data: [{ mailbox: bob, view: 'INBOX' }] });
      await call(sim, null, '/api/archive/get-message-list', { data: [{ mailbox: bob, view: 'INBOX' }] });
      expect(sim.control.counters()).toMatchObject({ '/api/archive/get-message-list': 2, '401': 1 });
    });

    it('offers the same operations over HTTP under /__control', async () => {
      const [alice] = sim.control.mailboxes();
      const post = async (op: string, body: unknown) =>
        (await (
          await fetch(`${sim.url}/__control/${op}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json()) as Json;
      const added = await post('add-messages', { mailbox: alice, count: 2 });
      expect(added.result).toHaveLength(2);
      expect((await post('counters', {})).ok).toBe(true);
      await post('set-faults', { spec: 'latency=1' });
      expect(sim.control.faults().latencyMs).toBe(1);
      expect((await post('nope', {})).ok).toBe(false);
    });
  });
});

describe('simulator corpus and MIME', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ preset: 'demo', seed: 3 });
  });
  afterAll(() => sim.close());

  it('is reproducible: same seed, same ids and bytes', async () => {
    const other = await startSimulator({ preset: 'demo', seed: 3 });
    try {
      const mb = sim.control.mailboxes()[2];
      const a = sim.control.expectedMessages(mb, 'INBOX').slice(0, 20);
      const b = other.control.expectedMessages(mb, 'INBOX').slice(0, 20);
      expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
      expect(sim.control.messageRfc822(a[0].id).equals(other.control.messageRfc822(a[0].id))).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('serializes exactly like nodemailer MailComposer#build', async () => {
    const opts = {
      from: 'A <a@example.com>',
      to: 'b@example.com',
      subject: 'Grüße ✓',
      text: 'plain ünï\r\n',
      html: '<p>hi</p>',
      attachments: [{ filename: 'x.bin', content: Buffer.alloc(300, 7) }],
      messageId: '<x@y>',
      date: new Date(0),
      baseBoundary: 'fixed',
    };
    const viaStream = await new MailComposer(opts).compile().build();
    expect(serializeMimeNode(new MailComposer(opts).compile()).equals(viaStream)).toBe(true);
  });

  it('has variety: unicode and blank subjects, HTML-only, PDF, DOCX, XLSX, TNEF, S/MIME, nested, calendar, nameless, expired, recalled', async () => {
    const kinds = new Set<string>();
    let unicode = 0;
    let blank = 0;
    let expired = 0;
    let recalled = 0;
    const samples = new Map<string, Buffer>();
    for (const mb of sim.control.mailboxes()) {
      for (const view of ['INBOX', 'SENT'] as const) {
        for (const e of sim.control.expectedMessages(mb, view)) {
          if (e.subject === '') blank++;
          if (/[^\x00-\x7f]/.test(e.subject)) unicode++;
          if (e.expired) expired++;
          if (e.recalled) recalled++;
          if (kinds.size >= 13) continue;
          const raw = sim.control.messageRfc822(e.id);
          const text = raw.toString('latin1');
          const tag = (k: string, cond: boolean) => {
            if (cond && !kinds.has(k)) {
              kinds.add(k);
              samples.set(k, raw);
            }
          };
          tag('html-only', /Content-Type: text\/html/.test(text) && !/Content-Type: text\/plain/.test(text));
          tag('pdf', text.includes('application/pdf'));
          tag('docx', text.includes('wordprocessingml'));
          tag('xlsx', text.includes('spreadsheetml'));
          tag('tnef', text.includes('application/ms-tnef'));
          tag('smime-signed', text.includes('multipart/signed'));
          tag('smime-opaque', /^Content-Type: application\/pkcs7-mime/m.test(text));
          tag('nested', text.includes('message/rfc822'));
          tag('calendar', text.includes('text/calendar'));
          tag(
            'nameless',
            /Content-Type: application\/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n/.test(
              text,
            ),
          );
          tag('binary', text.includes('filename=blob-'));
          tag('png', text.includes('image/png'));
          tag('csv', text.includes('text/csv'));
        }
      }
    }
    expect([...kinds].sort()).toEqual([
      'binary',
      'calendar',
      'csv',
      'docx',
      'html-only',
      'nameless',
      'nested',
      'pdf',
      'png',
      'smime-opaque',
      'smime-signed',
      'tnef',
      'xlsx',
    ]);
    expect(unicode).toBeGreaterThan(0);
    expect(blank).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(recalled).toBeGreaterThan(0);
    for (const [kind, raw] of samples) {
      const parsed = await simpleParser(raw);
      if (['pdf', 'docx', 'xlsx', 'tnef', 'nested', 'calendar'].includes(kind))
        expect(parsed.attachments.length).toBeGreaterThan(0);
    }
  }, 30_000);

  it('builds attachments that real parsers read: PDF text, DOCX text, XLSX cells, TNEF signature', async () => {
    const { attachmentPayload, attachmentMarker } = await import('../../simulator/attachment-factory');
    const mammoth = await import('mammoth');
    const docx = attachmentPayload('docx', 2);
    expect((await mammoth.extractRawText({ buffer: docx.bytes })).value).toContain(
      attachmentMarker('docx', 2),
    );
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(attachmentPayload('xlsx', 1).bytes as never);
    expect(String(wb.worksheets[0].getCell('A2').value)).toBe(attachmentMarker('xlsx', 1));
    const pdf = attachmentPayload('pdf', 3).bytes;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // pdf.js needs dynamic import(), which jest's vm does not allow: parse in a child process.
    const script = `const {PDFParse}=require('pdf-parse');const p=new PDFParse({data:new Uint8Array(Buffer.from(process.argv[1],'base64'))});p.getText().then(t=>{process.stdout.write(t.text);return p.destroy()})`;
    const out = execFileSync(process.execPath, ['-e', script, pdf.toString('base64')], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(out).toContain(attachmentMarker('pdf', 3));
    expect(attachmentPayload('tnef', 0).bytes.readUInt32LE(0)).toBe(0x223e9f78);
  });
});

describe('simulator presets, CLI and hostile content', () => {
  it('starts large and huge-mailbox in seconds with bounded memory, and pages deep into them', async () => {
    for (const preset of ['large', 'huge-mailbox'] as const) {
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = Date.now();
      const sim = await startSimulator({ preset });
      const startMs = Date.now() - t0;
      try {
        const token = await getToken(sim);
        const boxes = sim.control.mailboxes();
        const t1 = Date.now();
        let total = 0;
        for (const mb of boxes) {
          for (const view of ['INBOX', 'SENT'] as const) {
            const r = await call(sim, token, '/api/archive/get-message-list', {
              meta: { pagination: { pageSize: 1 } },
              data: [{ mailbox: mb, view, ...ALL_TIME }],
            });
            total += r.json.meta.pagination.totalCount;
          }
        }
        const indexMs = Date.now() - t1;
        const big = boxes[0];
        const n = sim.control.messageCount(big, 'INBOX');
        // a deep page: walk tokens of 500 until past the middle
        let pageToken: string | undefined;
        const t2 = Date.now();
        let pages = 0;
        for (let seen = 0; seen < n / 2; seen += 500, pages++) {
          const r = await call(sim, token, '/api/archive/get-message-list', {
            meta: { pagination: { pageSize: 500, ...(pageToken ? { pageToken } : {}) } },
            data: [{ mailbox: big, view: 'INBOX', ...ALL_TIME }],
          });
          expect(r.json.data.length).toBe(500);
          pageToken = r.json.meta.pagination.next;
          if (preset === 'large') break;
        }
        const pageMs = (Date.now() - t2) / Math.max(1, pages);
        const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
        const rssMb = process.memoryUsage().rss / 1e6;
        process.stdout.write(
          `[simulator ${preset}] mailboxes=${boxes.length} messages=${total} start=${startMs}ms ` +
            `all-indexes-built=${indexMs}ms page(500)=${pageMs.toFixed(0)}ms heapDelta=${heapMb.toFixed(1)}MB rss=${rssMb.toFixed(0)}MB\n`,
        );
        expect(startMs).toBeLessThan(3000);
        if (preset === 'large') {
          expect(boxes.length).toBeGreaterThanOrEqual(50);
          expect(total).toBeGreaterThanOrEqual(100_000);
        } else {
          expect(boxes).toHaveLength(1);
          expect(total).toBe(100_000);
        }
      } finally {
        await sim.close();
      }
    }
  }, 120_000);

  it('runs from the CLI entry point and prints the URL and credentials', async () => {
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const done = runSimulatorCommand({
      port: 0,
      preset: 'tiny',
      faults: 'latency=1',
      until,
      out: (l) => lines.push(l),
    });
    for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines.join('\n')).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(lines.join('\n')).toContain('sim-client');
    expect(lines.join('\n')).toContain('sim-secret');
    stop();
    await done;
  });

  it('offers hostile attachments only in the hostile preset', async () => {
    const opts: SimulatorOptions = { preset: 'hostile' };
    const sim = await startSimulator(opts);
    try {
      const types = new Set<string>();
      for (const mb of sim.control.mailboxes()) {
        for (const e of sim.control.expectedMessages(mb, 'INBOX')) {
          if (!e.attachmentCount) continue;
          const text = sim.control.messageRfc822(e.id).toString('latin1', 0, 4000);
          for (const t of ['archive.zip', 'logs.txt.gz', 'statement.pdf']) if (text.includes(t)) types.add(t);
        }
      }
      expect([...types].sort()).toEqual(['archive.zip', 'logs.txt.gz', 'statement.pdf']);
    } finally {
      await sim.close();
    }
    const small = await startSimulator({ preset: 'small' });
    try {
      for (const mb of small.control.mailboxes())
        for (const e of small.control.expectedMessages(mb, 'INBOX')) {
          if (e.attachmentCount)
            expect(small.control.messageRfc822(e.id).toString('latin1')).not.toContain('archive.zip');
        }
    } finally {
      await small.close();
    }
  }, 30_000);

  it('formats dates as yyyy-MM-ddTHH:mm:ss+0000', () => {
    expect(formatMimecastDate(Date.UTC(2024, 0, 3, 9, 12, 44))).toBe('2024-01-03T09:12:44+0000');
  });
});
