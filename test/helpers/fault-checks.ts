// What every fault case proves afterwards: the index holds exactly the messages the simulator
// expects and exactly their attachment documents (no loss, no duplicates), recorded failures carry
// reasons, and no client secret or issued bearer token appears in workflow histories, worker logs
// or the index.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client } from '@temporalio/client';
import { indexNames } from '../../common/node/documents';
import type { SourceSettings } from '../../common/settings';
import type { RunningSimulator } from '../../simulator';
import { selectAttachments } from '../../activities/extract/message-document';
import { parseRfc822 } from '../../activities/extract/mime-parser';
import { decodeTnef } from '../../activities/extract/tnef-decoder';

const VIEWS = ['INBOX', 'SENT'] as const;

export interface ExpectedIndex {
  /** `mailbox|view|mimecastId` of every message that must be indexed. */
  indexed: Set<string>;
  /** Keys of messages that must be recorded in `<prefix>-failed` instead. */
  failed: Set<string>;
  /** `mailbox|view|mimecastId|partPath` of every attachment document (see expectedAttachments). */
  attachments: Set<string>;
}

const key = (mailbox: string, view: string, id: string) => `${mailbox.toLowerCase()}|${view}|${id}`;

/**
 * What the simulator holds for a source's scope (every mailbox, both views, received since
 * startDate); expired and recalled messages are left out under expiredPolicy=delete, and the
 * simulator's failIds must end up as recorded failures.
 */
export function expectedIndex(
  sim: RunningSimulator,
  settings: SourceSettings,
  now = new Date(),
): ExpectedIndex {
  const failIds = new Set(sim.control.faults().failIds);
  const expected: ExpectedIndex = { indexed: new Set(), failed: new Set(), attachments: new Set() };
  const range = { start: new Date(settings.messages.startDate), end: now };
  for (const mailbox of sim.control.mailboxes()) {
    for (const view of VIEWS) {
      for (const m of sim.control.expectedMessages(mailbox, view, range)) {
        if (settings.messages.expiredPolicy === 'delete' && (m.expired || m.recalled)) continue;
        (failIds.has(m.id) ? expected.failed : expected.indexed).add(key(mailbox, view, m.id));
      }
    }
  }
  return expected;
}

/**
 * The attachment documents the indexed messages must have: the simulator's RFC 822 of each message,
 * split into parts by the crawler's own parser and attachment filter (what a clean crawl indexes).
 * The parser is tested on its own; here the question is whether faults lost or doubled any.
 */
export async function expectedAttachments(
  sim: RunningSimulator,
  settings: SourceSettings,
  indexed: Set<string>,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const k of indexed) {
    const id = k.split('|')[2]!;
    const parsed = await parseRfc822(sim.control.messageRfc822(id), {
      decodeTnef: async (b) => decodeTnef(b),
    });
    for (const part of selectAttachments(parsed.attachments, settings).kept) out.add(`${k}|${part.partPath}`);
  }
  return out;
}

export interface ActualIndex {
  indexed: Set<string>;
  /** Message (`mailbox|view|id`) and attachment (`…|partPath`) documents that appeared more than once. */
  duplicates: string[];
  failed: Map<string, { reason: string; kind: string }>;
  /** `mailbox|view|mimecastId|partPath` of attachment documents; `orphan|…` when their message is not indexed. */
  attachments: Set<string>;
}

async function scan<T>(es: ElasticClient, index: string, query: object): Promise<(T & { _id: string })[]> {
  const out: (T & { _id: string })[] = [];
  let searchAfter: (string | number)[] | undefined;
  for (;;) {
    const page = await es.search<T>({
      index,
      size: 5000,
      sort: ['_doc'],
      query,
      ...(searchAfter ? { search_after: searchAfter } : {}),
    });
    out.push(...page.hits.hits.map((h) => ({ ...h._source!, _id: h._id! })));
    if (page.hits.hits.length < 5000) return out;
    searchAfter = page.hits.hits[page.hits.hits.length - 1]!.sort as (string | number)[];
  }
}

export async function actualIndex(es: ElasticClient, settings: SourceSettings): Promise<ActualIndex> {
  const names = indexNames(settings.index.prefix);
  await es.indices.refresh({
    index: [names.messages, names.failed, names.attachments],
    ignore_unavailable: true,
  });
  const bySource = { bool: { filter: [{ term: { source: settings.sourceId } }] } };
  const messages = await scan<{ mailbox: string; view: string; mimecastId: string }>(
    es,
    names.messages,
    bySource,
  ).catch(() => []);
  const indexed = new Set<string>();
  const duplicates: string[] = [];
  const messageKeys = new Map<string, string>();
  for (const m of messages) {
    const k = key(m.mailbox, m.view, m.mimecastId);
    if (indexed.has(k)) duplicates.push(k);
    indexed.add(k);
    messageKeys.set(m._id, k);
  }
  const attachmentDocs = await scan<{ messageDocId: string; partPath: string }>(
    es,
    names.attachments,
    bySource,
  ).catch(() => []);
  const attachments = new Set<string>();
  for (const a of attachmentDocs) {
    const k = `${messageKeys.get(a.messageDocId) ?? `orphan|${a.messageDocId}`}|${a.partPath}`;
    if (attachments.has(k)) duplicates.push(k);
    attachments.add(k);
  }
  const failedDocs = await scan<{
    mailbox: string;
    view: string;
    mimecastId: string;
    reason: string;
    kind: string;
  }>(es, names.failed, bySource).catch(() => []);
  const failed = new Map(
    failedDocs.map((f) => [key(f.mailbox, f.view, f.mimecastId), { reason: f.reason, kind: f.kind }]),
  );
  return { indexed, duplicates, failed, attachments };
}

export interface IndexComparison {
  missing: string[];
  unexpected: string[];
  missingAttachments: string[];
  unexpectedAttachments: string[];
  duplicates: string[];
  /** Expected failures that were not recorded (or recorded without a reason). */
  failuresNotRecorded: string[];
}

export function compareIndex(expected: ExpectedIndex, actual: ActualIndex): IndexComparison {
  return {
    missing: [...expected.indexed].filter((k) => !actual.indexed.has(k)),
    unexpected: [...actual.indexed].filter((k) => !expected.indexed.has(k)),
    missingAttachments: [...expected.attachments].filter((k) => !actual.attachments.has(k)),
    unexpectedAttachments: [...actual.attachments].filter((k) => !expected.attachments.has(k)),
    duplicates: actual.duplicates,
    failuresNotRecorded: [...expected.failed].filter((k) => !actual.failed.get(k)?.reason),
  };
}

/** Every document of a prefix's indices as JSON text (for the secret scan). */
async function indexText(es: ElasticClient, prefix: string): Promise<string> {
  const indices = Object.values(indexNames(prefix));
  await es.indices.refresh({ index: indices, ignore_unavailable: true });
  const parts: string[] = [];
  for (const index of indices) {
    const docs = await scan<object>(es, index, { match_all: {} }).catch(() => []);
    parts.push(JSON.stringify(docs));
  }
  return parts.join('\n');
}

/** Every event of every run of a source's workflows (continue-as-new runs included) as JSON text. */
async function historyText(client: Client, sourceId: string): Promise<string> {
  const parts: string[] = [];
  for await (const execution of client.workflow.list({ query: `MimecastSource = "${sourceId}"` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    // Payloads are base64 in JSON: decode their data so a secret inside a payload is seen.
    parts.push(
      JSON.stringify(history, (_k, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
      ),
    );
  }
  return parts.join('\n');
}

export interface SecretFindings {
  /** Where a secret or token was found: "history", "logs" or "index", with what was found. */
  leaks: string[];
  /** How many issued tokens were looked for (a scan that looked for nothing proves nothing). */
  tokensChecked: number;
  /** Sizes of what was scanned, so a test can assert the scan was not empty. */
  scannedChars: { history: number; logs: number; index: number };
}

export async function scanForSecrets(opts: {
  sim: RunningSimulator;
  client: Client;
  es: ElasticClient;
  settings: SourceSettings;
  logs: string;
}): Promise<SecretFindings> {
  const secrets = opts.sim.credentials.map((c) => c.clientSecret);
  const tokens = opts.sim.control.issuedTokens();
  const texts = {
    history: await historyText(opts.client, opts.settings.sourceId),
    logs: opts.logs,
    index: await indexText(opts.es, opts.settings.index.prefix),
  };
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: client secret`);
    for (const token of tokens)
      if (text.includes(token)) leaks.push(`${where}: bearer token ${token.slice(0, 6)}…`);
  }
  return {
    leaks,
    tokensChecked: tokens.length,
    scannedChars: { history: texts.history.length, logs: texts.logs.length, index: texts.index.length },
  };
}
