// Index templates installed lazily, once per process and prefix: a source with a prefix the worker
// did not install at start still gets strict mappings before its first write.
import type { Client } from '@elastic/elasticsearch';
import { ensureIndexTemplates } from './elastic/index-templates';

const installed = new WeakMap<Client, Map<string, Promise<void>>>();

/** Concurrent callers share one installation; a failed one is forgotten so the next call retries. */
export function ensureIndexTemplatesOnce(es: Client, prefix: string): Promise<void> {
  let byPrefix = installed.get(es);
  if (!byPrefix) installed.set(es, (byPrefix = new Map()));
  let pending = byPrefix.get(prefix);
  if (!pending) {
    pending = ensureIndexTemplates(es, prefix).then(
      () => undefined,
      (err: unknown) => {
        byPrefix!.delete(prefix);
        throw err;
      },
    );
    byPrefix.set(prefix, pending);
  }
  return pending;
}
