// The idle screen of a delta pass (docs/architecture.md, The steady state). Most mailboxes have nothing
// new in an hourly pass; waking each one's workflow costs the Temporal server a few workflow tasks and an
// activity per mailbox, far more than the two list calls that show there is nothing to do. So the pass's
// registry page checks, read-only, the mailboxes whose last pass completed steady under the same settings:
// per view, one list of everything since the workflow's token (as the mailbox would plan it) and one
// existence check. A mailbox is left out of dispatch only when every view shows nothing to index, delete
// or record. Nothing is written: the mailbox's tokens and watermarks stay as they are, so the next pass
// checks the same range again and a mailbox with new mail is dispatched as usual.
import { VIEWS, type TimeWindow, type View } from '../../common/contracts';
import { mailboxCrawlSettingsHash } from '../../common/node/settings-hash';
import type { SourceSettings } from '../../common/settings';
import { toMs } from '../../workflows/mailbox-windows';
import { deltaRangeOf } from '../../workflows/steady-state';
import type { ActivityDeps } from '../deps';
import type { RegistryPageEntry } from '../elastic/registry';
import { readWatermarksOfMailboxes } from '../elastic/watermarks';
import { pageHasNothingNew } from '../mailbox/crawl-page';
import { carriedMailboxKey } from '../mailbox-filter';

/** The screen stops starting checks after this long; the mailboxes it did not check are dispatched. */
export const IDLE_SCREEN_BUDGET_MS = 60_000;

export interface IdleScreenInput {
  settings: SourceSettings;
  passId: string;
  mailboxes: RegistryPageEntry[];
  nowMs: number;
}

/** The mailbox keys, of those given, with nothing new in any view. */
export async function screenIdleMailboxes(deps: ActivityDeps, input: IdleScreenInput): Promise<Set<string>> {
  const { settings } = input;
  const hash = mailboxCrawlSettingsHash(settings);
  const eligible = input.mailboxes.filter(
    (m) =>
      m.status === 'Completed' &&
      m.settingsHash === hash &&
      m.steady !== undefined &&
      VIEWS.every((view) => m.steady?.[view]?.token),
  );
  const idle = new Set<string>();
  if (!eligible.length) return idle;
  const keyOf = (m: RegistryPageEntry) => carriedMailboxKey(m, settings, deps.addressHashKey);
  const watermarks = await readWatermarksOfMailboxes(deps.elastic, {
    prefix: settings.index.prefix,
    source: settings.sourceId,
    mailboxes: eligible.map(keyOf),
  });
  const deadline = Date.now() + IDLE_SCREEN_BUDGET_MS;
  const queue = [...eligible];
  const lanes = Math.max(1, settings.parallelism.mailboxCrawling);
  await Promise.all(
    Array.from({ length: Math.min(lanes, queue.length) }, async () => {
      for (let m = queue.shift(); m && Date.now() < deadline; m = queue.shift()) {
        const key = keyOf(m);
        const isIdle = await mailboxHasNothingNew(deps, input, m, watermarks.get(key) ?? {}).catch(
          (err: unknown) => {
            deps.logger.debug({ err, mailbox: key }, 'idle screen: could not check; dispatched');
            return false;
          },
        );
        if (isIdle) idle.add(m.mailboxKey);
      }
    }),
  );
  return idle;
}

async function mailboxHasNothingNew(
  deps: ActivityDeps,
  input: IdleScreenInput,
  m: RegistryPageEntry,
  watermarks: Partial<Record<View, string>>,
): Promise<boolean> {
  const { settings } = input;
  const ranges: { view: View; range: TimeWindow }[] = [];
  for (const view of VIEWS) {
    const coverage = m.steady?.[view];
    const watermark = watermarks[view];
    // As the mailbox would: a watermark below the token (index restored) or an earlier startDate needs it.
    if (!coverage || !watermark || toMs(watermark) < toMs(coverage.token)) return false;
    const planned = deltaRangeOf(settings, coverage, input.nowMs);
    if (!planned?.range) return false;
    ranges.push({ view, range: planned.range });
  }
  // The views side by side; the whole range in one list each: nothing new means one page of indexed messages.
  const views = await Promise.all(
    ranges.map(({ view, range }) =>
      pageHasNothingNew(deps, {
        settings,
        address: m.address,
        mailboxKey: m.mailboxKey,
        domain: m.domain,
        view,
        passId: input.passId,
        mode: 'delta',
        refetchContent: false,
        window: range,
        pageIndex: 0,
        watermarkOnLastPage: false,
      }),
    ),
  );
  return views.every(Boolean);
}
