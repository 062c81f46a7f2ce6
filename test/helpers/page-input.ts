// The input of one crawlPage call outside Temporal, as the benchmark's plain loop builds it: delta mode,
// INBOX of example.com from the settings' startDate, the watermark written with the window's last page.
import type { CrawlPageInput } from '../../common/activity-contracts';
import type { SourceSettings } from '../../common/settings';

export interface PageInputs {
  /** The window's end, fixed once: a page token is bound to the query (window) that produced it. */
  windowEnd: string;
  input(address: string, over?: Partial<CrawlPageInput>): CrawlPageInput;
}

/** `settings` is called for every input (the harness that provides them starts after this is made). */
export function pageInputs(passId: string, settings: () => SourceSettings): PageInputs {
  const windowEnd = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    windowEnd,
    input(address, over = {}) {
      const s = settings();
      return {
        settings: s,
        address,
        domain: 'example.com',
        view: 'INBOX',
        passId,
        mode: 'delta',
        refetchContent: false,
        window: { start: s.messages.startDate, end: windowEnd },
        pageIndex: 0,
        watermarkOnLastPage: true,
        ...over,
      };
    },
  };
}
