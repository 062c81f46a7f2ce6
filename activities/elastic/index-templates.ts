// Composable index templates for the six indices of docs/architecture.md, Index contract (dynamic: strict),
// installed idempotently at worker start; also creates missing indices and adds new fields to existing ones.
import type { Client } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import { indexNames, type IndexNames } from '../../common/node/documents';

type Properties = Record<string, estypes.MappingProperty>;

const keyword: estypes.MappingProperty = { type: 'keyword' };
const date: estypes.MappingProperty = { type: 'date' };
const bool: estypes.MappingProperty = { type: 'boolean' };
const long: estypes.MappingProperty = { type: 'long' };
const integer: estypes.MappingProperty = { type: 'integer' };
const text: estypes.MappingProperty = { type: 'text' };
/** Full-text searchable, and sortable/aggregatable through `.keyword` (long values are not indexed there). */
const textWithKeyword: estypes.MappingProperty = {
  type: 'text',
  fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
};
const address: estypes.MappingProperty = {
  properties: { address: keyword, name: textWithKeyword },
};

const messageProperties: Properties = {
  source: keyword,
  domain: keyword,
  mailbox: keyword,
  view: keyword,
  mimecastId: keyword,
  internetMessageId: keyword,
  subject: textWithKeyword,
  from: address,
  to: address,
  cc: address,
  received: date,
  size: long,
  body: text,
  bodyTruncated: bool,
  attachmentCount: integer,
  attachmentNames: textWithKeyword,
  context: keyword,
  acl: keyword,
  metadataOnly: bool,
  contentFlags: keyword,
  expired: bool,
  recalled: bool,
  lastSeenPass: keyword,
  indexedAt: date,
};

const attachmentProperties: Properties = {
  source: keyword,
  mailbox: keyword,
  messageDocId: keyword,
  mimecastId: keyword,
  partPath: keyword,
  filename: textWithKeyword,
  contentType: keyword,
  size: long,
  sha256: keyword,
  content: text,
  contentTruncated: bool,
  extraction: keyword,
  received: date,
  acl: keyword,
  lastSeenPass: keyword,
  indexedAt: date,
};

const failedProperties: Properties = {
  source: keyword,
  mailbox: keyword,
  view: keyword,
  mimecastId: keyword,
  received: date,
  reason: textWithKeyword,
  kind: keyword,
  attempts: integer,
  firstFailedAt: date,
  lastFailedAt: date,
  // Kept for a retry to index the message like any other; never searched.
  listed: { type: 'object', enabled: false },
};

const registryProperties: Properties = {
  source: keyword,
  address: keyword,
  mailboxKey: keyword,
  domain: keyword,
  inScope: bool,
  excludedBy: keyword,
  lastSeenPass: keyword,
  firstSeenAt: date,
  lastCrawledAt: date,
  status: keyword,
  // The idle screen's input (activities/pass/idle-screen.ts): read back, never searched.
  steady: { type: 'object', enabled: false },
  settingsHash: keyword,
};

const stateProperties: Properties = {
  source: keyword,
  mailbox: keyword,
  view: keyword,
  watermark: date,
  passId: keyword,
  updatedAt: date,
};

const passProperties: Properties = {
  source: keyword,
  passId: keyword,
  settingsHash: keyword,
  // The whole progress object is kept for readers but not indexed: its counters grow with the code.
  progress: { type: 'object', enabled: false },
  finishedAt: date,
  status: keyword,
  mode: keyword,
  startedAt: date,
  messagesIndexed: long,
  startedBy: {
    properties: { kind: keyword, scheduleId: keyword, identity: keyword, user: keyword, host: keyword },
  },
};

export const INDEX_PROPERTIES: Record<keyof IndexNames, Properties> = {
  messages: messageProperties,
  attachments: attachmentProperties,
  failed: failedProperties,
  mailboxes: registryProperties,
  state: stateProperties,
  passes: passProperties,
};

/** Above the built-in templates (priority 100–150), so their wildcard patterns never win. */
const TEMPLATE_PRIORITY = 300;

export function templateNames(prefix: string) {
  return {
    settingsComponent: `${prefix}-crawler-settings`,
    index: (kind: keyof IndexNames) => `${prefix}-crawler-${kind}`,
  };
}

/**
 * Installs (or updates) the templates and creates missing indices. Safe to call from every worker
 * start: puts are idempotent, and an index another worker just created is not an error.
 */
export async function ensureIndexTemplates(es: Client, prefix: string): Promise<IndexNames> {
  const names = indexNames(prefix);
  const tpl = templateNames(prefix);
  await es.cluster.putComponentTemplate({
    name: tpl.settingsComponent,
    template: {
      settings: {
        // Green on a single development node, one replica as soon as a second node exists.
        'index.auto_expand_replicas': '0-1',
        'index.number_of_shards': 1,
      },
    },
    _meta: { managedBy: 'mimecast-archive-crawler' },
  });
  for (const kind of Object.keys(names) as (keyof IndexNames)[]) {
    await es.indices.putIndexTemplate({
      name: tpl.index(kind),
      index_patterns: [names[kind]],
      priority: TEMPLATE_PRIORITY,
      composed_of: [tpl.settingsComponent],
      template: { mappings: { dynamic: 'strict', properties: INDEX_PROPERTIES[kind] } },
      _meta: { managedBy: 'mimecast-archive-crawler' },
    });
  }
  for (const kind of Object.keys(names) as (keyof IndexNames)[]) {
    const index = names[kind];
    if (await es.indices.exists({ index })) {
      // An index created by an older release gets the fields added since (mappings only grow).
      await es.indices.putMapping({ index, dynamic: 'strict', properties: INDEX_PROPERTIES[kind] });
      continue;
    }
    try {
      await es.indices.create({ index });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  return names;
}

/** Removes the indices and templates of a prefix (tests and `demo` cleanup). */
export async function removeIndexTemplates(es: Client, prefix: string): Promise<void> {
  const names = indexNames(prefix);
  const tpl = templateNames(prefix);
  await es.indices.delete({ index: Object.values(names), ignore_unavailable: true });
  for (const kind of Object.keys(names) as (keyof IndexNames)[]) {
    await es.indices.deleteIndexTemplate({ name: tpl.index(kind) }, { ignore: [404] });
  }
  await es.cluster.deleteComponentTemplate({ name: tpl.settingsComponent }, { ignore: [404] });
}

function isAlreadyExists(err: unknown): boolean {
  const type = (err as { body?: { error?: { type?: string } } })?.body?.error?.type;
  return type === 'resource_already_exists_exception';
}
