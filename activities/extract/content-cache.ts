// A bounded LRU of raw RFC822 bytes by Mimecast id, so a message that sits in many mailboxes of
// this worker (a mail to a whole team) is fetched once. Bounded by total bytes, not entries
// (lru-cache: maxSize with the byte length as each entry's size).
import { LRUCache } from 'lru-cache';

export class ContentCache {
  private readonly entries: LRUCache<string, Buffer>;
  hits = 0;
  misses = 0;

  constructor(
    maxBytes = 64 * 1024 * 1024,
    /** Larger messages are not cached: one would evict everything else. */
    maxEntryBytes = Math.floor(maxBytes / 8),
  ) {
    // lru-cache refuses a size of 0: an empty message counts as one byte.
    this.entries = new LRUCache({
      maxSize: maxBytes,
      maxEntrySize: maxEntryBytes,
      sizeCalculation: (content) => content.length || 1,
    });
  }

  get(mimecastId: string): Buffer | undefined {
    const value = this.entries.get(mimecastId);
    if (value) this.hits++;
    else this.misses++;
    return value;
  }

  set(mimecastId: string, content: Buffer): void {
    this.entries.set(mimecastId, content);
  }

  /** Fetches through the cache. */
  async getOrFetch(mimecastId: string, fetch: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.get(mimecastId);
    if (cached) return cached;
    const content = await fetch();
    this.set(mimecastId, content);
    return content;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }
}
