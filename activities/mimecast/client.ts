// The Mimecast API 2.0 client the activities use: one method per endpoint the crawl needs, with
// paging, record normalisation and downloads (bytes or link). A MimecastClient is a cheap view
// over a shared ApiTransport, carrying the settings of one source and the CallScope of one activity.
import { createHash } from 'node:crypto';
import { ItemError } from '../../common/node/errors';
import { MAX_PAGE_SIZE } from '../../common/settings';
import type { ApiTransport } from './api-transport';
import type { CallContext } from './call-context';
import { CallScope, type CallObserver } from './call-scope';
import { MimecastResponseError, TransientError } from './errors';
import { toMimecastDate } from './mimecast-date';
import {
  MimecastDomainSchema,
  MimecastDownloadLink,
  MimecastMessageDetailSchema,
  MimecastUsersPage,
  parseListRecord,
  parseResponse,
  type InvalidListRecord,
  type MimecastDomain,
  type MimecastEnvelope,
  type MimecastMessageDetail,
  type MimecastMessageRecord,
  type MimecastUser,
} from './responses';
import type { ApiTracer } from './trace';

export const ENDPOINTS = {
  domains: '/api/domain/get-internal-domain',
  users: '/api/user/get-internal-users',
  messageList: '/api/archive/get-message-list',
  messageDetail: '/api/archive/get-message-detail',
  messagePart: '/api/archive/get-message-part',
  file: '/api/archive/get-file',
} as const;

/** A link that fails is re-requested from the API this many times in all (never retried as-is). */
const LINK_REQUESTS = 3;
/** Guard against a server that keeps answering `next` with records forever. */
const MAX_DOMAIN_PAGES = 1000;

export interface ClientViewOptions {
  retryAfterMultiplier: number;
  authTokenOffsetSeconds: number;
  tracer: ApiTracer;
  /** Absent: every method call gets its own scope (its own throttle budget). */
  scope?: CallScope;
  signal?: AbortSignal;
}

export interface ListMessagesPageInput {
  mailbox: string;
  view: 'INBOX' | 'SENT';
  start: Date | string;
  end: Date | string;
  pageSize: number;
  pageToken?: string;
}

export interface MessagePartInput {
  id: string;
  mailbox: string;
  type: 'RFC822' | 'PLAIN' | 'HTML';
  context: 'RECEIVED' | 'DELIVERED';
  maxBytes: number;
}

/** One message's malformed answer (after the transport's retries) is that message's problem, not the page's. */
async function asItemError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof MimecastResponseError && err.kind === 'transient') {
      throw new MimecastResponseError(
        err.endpoint,
        err.message.replace(/^unexpected response from \S+: /, ''),
        'item',
      );
    }
    throw err;
  }
}

export interface MessageListPage {
  records: MimecastMessageRecord[];
  /** Records that failed validation, each to be recorded as a failed item. */
  invalid: InvalidListRecord[];
  nextPageToken?: string;
}

function fingerprintOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'undefined')
    .digest('hex');
}

function clampPageSize(n: number): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(n)));
}

function nextToken(envelope: MimecastEnvelope, pageWasEmpty: boolean): string | undefined {
  // End of data: `next` missing OR an empty page (Elastic's mock keeps `next` on its empty last page).
  const next = envelope.meta?.pagination?.next;
  return !pageWasEmpty && next ? next : undefined;
}

export class MimecastClient {
  constructor(
    private readonly transport: ApiTransport,
    private readonly options: ClientViewOptions,
  ) {}

  /** The name of the credential this client uses (never its secret). */
  get credentialName(): string {
    return this.transport.credential.name;
  }

  /** The scope this view counts into (undefined for an unscoped view). */
  get scope(): CallScope | undefined {
    return this.options.scope;
  }

  /** A view that counts calls into `scope` and heartbeats through it while waiting. */
  withCallScope(scope: CallScope, signal?: AbortSignal): MimecastClient {
    return new MimecastClient(this.transport, {
      ...this.options,
      scope,
      signal: signal ?? this.options.signal,
    });
  }

  /** Shorthand: a view with a new CallScope around `observer` (read it back with `.scope`). */
  withCallObserver(observer: CallObserver, signal?: AbortSignal): MimecastClient {
    return this.withCallScope(new CallScope(observer), signal);
  }

  private ctx(): CallContext {
    return {
      scope: this.options.scope ?? new CallScope(),
      retryAfterMultiplier: this.options.retryAfterMultiplier,
      authTokenOffsetSeconds: this.options.authTokenOffsetSeconds,
      tracer: this.options.tracer,
      signal: this.options.signal,
    };
  }

  /** Obtains a token (or uses the cached one): proves the credential and the token URL work. */
  async authenticate(): Promise<void> {
    await this.transport.token(this.ctx());
  }

  private async json(endpoint: string, payload: unknown, ctx = this.ctx()): Promise<MimecastEnvelope> {
    const result = await this.transport.post(endpoint, payload, ctx);
    if (result.kind !== 'json') throw new MimecastResponseError(endpoint, 'expected JSON, got a binary body');
    return result.envelope;
  }

  /** Every internal domain (records directly in data[]). */
  async listInternalDomains(): Promise<MimecastDomain[]> {
    const ctx = this.ctx();
    const domains: MimecastDomain[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_DOMAIN_PAGES; page++) {
      const payload = pageToken
        ? { meta: { pagination: { pageSize: MAX_PAGE_SIZE, pageToken } }, data: [] }
        : { data: [] };
      const env = await this.json(ENDPOINTS.domains, payload, ctx);
      const records = (env.data ?? []).map((d, i) =>
        parseResponse(ENDPOINTS.domains, MimecastDomainSchema, d, `data[${i}]`),
      );
      domains.push(...records);
      pageToken = nextToken(env, records.length === 0);
      if (!pageToken) return domains;
    }
    throw new MimecastResponseError(ENDPOINTS.domains, `more than ${MAX_DOMAIN_PAGES} pages of domains`);
  }

  /** One page of a domain's users (data[0].users). Filtering mailboxes is the caller's job. */
  async listInternalUsersPage(input: { domain: string; pageToken?: string; pageSize: number }): Promise<{
    users: MimecastUser[];
    nextPageToken?: string;
  }> {
    const pagination = {
      pageSize: clampPageSize(input.pageSize),
      ...(input.pageToken ? { pageToken: input.pageToken } : {}),
    };
    const env = await this.json(ENDPOINTS.users, { meta: { pagination }, data: [{ domain: input.domain }] });
    const first = env.data?.[0];
    const page =
      first === undefined
        ? { users: [] }
        : parseResponse(ENDPOINTS.users, MimecastUsersPage, first, 'data[0]');
    const users = page.users ?? [];
    return { users, nextPageToken: nextToken(env, users.length === 0) };
  }

  /**
   * One page of a mailbox view in [start, end] (inclusive, Mimecast dates); `to` is always an array.
   * A record that fails validation is returned in `invalid` (an item failure), not thrown.
   */
  async listMessagesPage(input: ListMessagesPageInput): Promise<MessageListPage> {
    const pagination = {
      pageSize: clampPageSize(input.pageSize),
      ...(input.pageToken ? { pageToken: input.pageToken } : {}),
    };
    const item = {
      mailbox: input.mailbox,
      view: input.view,
      start: toMimecastDate(input.start),
      end: toMimecastDate(input.end),
      includeAliases: true,
      includeDelegates: false,
    };
    const env = await this.json(ENDPOINTS.messageList, { meta: { pagination }, data: [item] });
    const data = env.data ?? [];
    const records: MimecastMessageRecord[] = [];
    const invalid: InvalidListRecord[] = [];
    data.forEach((raw, i) => {
      const parsed = parseListRecord(raw, i, fingerprintOf);
      if ('record' in parsed) records.push(parsed.record);
      else invalid.push(parsed.invalid);
    });
    return { records, invalid, nextPageToken: nextToken(env, data.length === 0) };
  }

  /** One message's metadata and attachment list (ids for getFile). */
  async getMessageDetail(id: string): Promise<MimecastMessageDetail> {
    return asItemError(async () => {
      const env = await this.json(ENDPOINTS.messageDetail, { data: [{ id }] });
      const first = env.data?.[0];
      if (first === undefined)
        throw new ItemError(`${ENDPOINTS.messageDetail}: no detail returned for message ${id}`);
      return parseResponse(ENDPOINTS.messageDetail, MimecastMessageDetailSchema, first, 'data[0]');
    });
  }

  /** A message's content (RFC822, or PLAIN/HTML as a fallback), as bytes; OversizeError past maxBytes. */
  getMessagePart(input: MessagePartInput): Promise<Buffer> {
    const item = { id: input.id, mailbox: input.mailbox, type: input.type, context: input.context };
    return this.download(ENDPOINTS.messagePart, item, input.maxBytes, `message ${input.id} (${input.type})`);
  }

  /** An attachment's bytes (id from get-message-detail attachments[]); OversizeError past maxBytes. */
  getFile(input: { id: string; maxBytes: number }): Promise<Buffer> {
    return this.download(ENDPOINTS.file, { id: input.id }, input.maxBytes, `attachment ${input.id}`);
  }

  /** Bytes or a JSON link, by Content-Type; a failed link is re-requested from the API, never retried. */
  private async download(endpoint: string, item: object, maxBytes: number, what: string): Promise<Buffer> {
    return asItemError(() => this.downloadOnce(endpoint, item, maxBytes, what));
  }

  private async downloadOnce(
    endpoint: string,
    item: object,
    maxBytes: number,
    what: string,
  ): Promise<Buffer> {
    const ctx = this.ctx();
    const reasons: string[] = [];
    for (let i = 0; i < LINK_REQUESTS; i++) {
      const result = await this.transport.post(endpoint, { data: [item] }, ctx, { maxBytes, what });
      if (result.kind === 'bytes') return result.bytes;
      const first = result.envelope.data?.[0];
      if (first === undefined)
        throw new MimecastResponseError(endpoint, 'data[]: empty, neither bytes nor a link');
      const link = parseResponse(endpoint, MimecastDownloadLink, first, 'data[0]');
      const got = await this.transport.getLink(link.url ?? link.urls![0], ctx, maxBytes, what);
      if (got.ok) return got.bytes;
      reasons.push(got.reason);
    }
    throw new TransientError(
      `${what}: ${LINK_REQUESTS} download links failed (${reasons.join(', ')}); each was re-requested from the API`,
    );
  }
}

export type {
  InvalidListRecord,
  MimecastDomain,
  MimecastMessageDetail,
  MimecastMessageRecord,
  MimecastUser,
} from './responses';
