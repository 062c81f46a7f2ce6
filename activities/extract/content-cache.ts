// A bounded LRU of raw RFC822 bytes by Mimecast id, so a message that sits in many mailboxes of
// this worker (a mail to a whole team) is fetched once. Bounded by total bytes, not entries.

export class ContentCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    /** Larger messages are not cached: one would evict everything else. */
    private readonly maxEntryBytes = Math.floor(maxBytes / 8),
  ) {}

  get(mimecastId: string): Buffer | undefined {
    const value = this.entries.get(mimecastId);
    if (!value) {
      this.misses++;
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(mimecastId);
    this.entries.set(mimecastId, value);
    this.hits++;
    return value;
  }

  set(mimecastId: string, content: Buffer): void {
    if (content.length > this.maxEntryBytes) return;
    const previous = this.entries.get(mimecastId);
    if (previous) {
      this.bytes -= previous.length;
      this.entries.delete(mimecastId);
    }
    this.entries.set(mimecastId, content);
    this.bytes += content.length;
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= value.length;
    }
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
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
