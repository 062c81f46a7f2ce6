// Scenario (c): the documents a crawl produced, re-bulked into scratch indices with the same
// mappings — how fast this machine's Elasticsearch can take them, with nothing else in the way.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { indexNames } from '../common/node/documents';

export interface RawBulkResult {
  seconds: number;
  messages: number;
  documents: number;
  bytes: number;
}

type Doc = { index: string; id: string; source: Record<string, unknown> };

async function readAll(es: ElasticClient, index: string): Promise<Doc[]> {
  const docs: Doc[] = [];
  let searchAfter: (string | number)[] | undefined;
  for (;;) {
    const page = await es.search<Record<string, unknown>>({
      index,
      size: 2000,
      sort: ['_doc'],
      query: { match_all: {} },
      ...(searchAfter ? { search_after: searchAfter } : {}),
    });
    const hits = page.hits.hits;
    for (const h of hits) docs.push({ index, id: h._id!, source: h._source! });
    if (hits.length < 2000) return docs;
    searchAfter = hits[hits.length - 1]!.sort as (string | number)[];
  }
}

/** Copies `prefix`'s messages and attachments into `<prefix>-scratch-*` by `_bulk`, timing only the writes. */
export async function runRawBulk(
  es: ElasticClient,
  prefix: string,
  concurrency: number,
): Promise<RawBulkResult> {
  const names = indexNames(prefix);
  const sources = [names.messages, names.attachments];
  await es.indices.refresh({ index: sources, ignore_unavailable: true });
  const docs: Doc[] = [];
  const scratch = new Map<string, string>();
  for (const index of sources) {
    const exists = await es.indices.exists({ index });
    if (!exists) continue;
    const target = `${prefix}-scratch-${index.slice(prefix.length + 1)}`;
    const mapping = await es.indices.getMapping({ index });
    await es.indices.create({ index: target, mappings: Object.values(mapping)[0]!.mappings });
    scratch.set(index, target);
    docs.push(...(await readAll(es, index)));
  }
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(JSON.stringify(d.source)), 0);
  const started = Date.now();
  try {
    // The helper sends each datasource item as the document body; the action comes from its Doc.
    const meta = new Map(docs.map((d) => [d.source, d] as const));
    const stats = await es.helpers.bulk<Record<string, unknown>>({
      datasource: docs.map((d) => d.source),
      onDocument: (source) => {
        const d = meta.get(source)!;
        return { index: { _index: scratch.get(d.index)!, _id: d.id } };
      },
      concurrency,
      flushBytes: 5_000_000,
      refreshOnCompletion: false,
    });
    const seconds = (Date.now() - started) / 1000;
    if (stats.failed) throw new Error(`raw bulk: ${stats.failed} documents failed`);
    return {
      seconds,
      messages: docs.filter((d) => d.index === names.messages).length,
      documents: docs.length,
      bytes,
    };
  } finally {
    await es.indices.delete({ index: [...scratch.values()], ignore_unavailable: true });
  }
}
