// probeMailbox: the steady-state fast path of a mailbox with nothing new (docs/architecture.md, Mailbox
// workflows and liveness): one activity that reads the watermarks and lists the first window of each view.
import type { ProbeMailboxInput, ProbeMailboxResult } from '../../common/activity-contracts';
import { toMs } from '../../workflows/mailbox-windows';
import type { ActivityDeps } from '../deps';
import { crawlPageWithoutContent } from './crawl-page';
import { loadWatermarks } from './watermarks';

/**
 * The steady-state fast path (docs/architecture.md): reads the watermarks and lists the first
 * window of every view planned from the workflow's tokens. A view whose page needs no content
 * is finished here (watermark written); a view with something to fetch, or whose watermark is
 * older than the token (index restored), is left to the usual page-by-page crawl.
 */
export async function probeMailbox(
  deps: ActivityDeps,
  input: ProbeMailboxInput,
): Promise<ProbeMailboxResult> {
  const { settings } = input;
  const { watermarks } = await loadWatermarks(deps, input);
  const pages: ProbeMailboxResult['pages'] = {};
  await Promise.all(
    input.views.map(async ({ view, window, token }) => {
      const watermark = watermarks[view];
      if (!watermark || toMs(watermark) < toMs(token)) return;
      const page = await crawlPageWithoutContent(deps, {
        settings,
        address: input.address,
        mailboxKey: input.mailboxKey,
        domain: input.domain,
        view,
        passId: input.passId,
        mode: 'delta',
        refetchContent: false,
        window,
        pageIndex: 0,
        watermarkOnLastPage: true,
      });
      if (page && (page.outcome === 'windowComplete' || page.outcome === 'page')) pages[view] = page;
    }),
  );
  return { watermarks, pages };
}
