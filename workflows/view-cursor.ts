// The window/page cursor of one view in a mailbox pass: its planned windows, window completion (coverage,
// adaptive growth) and page-cursor reset. Constants shape the command sequence: behind patched().
import type { PassMode, TimeWindow, View } from '../common/contracts';
import type { CrawlPageResult } from '../common/activity-contracts';
import type { SourceSettings } from '../common/settings';
import type { PassCursor, ViewCursor } from './mailbox-state-migration';
import type { MailboxStep } from './mailbox-step';
import {
  effectiveToken,
  halveWindow,
  maxIso,
  missingEarlierRange,
  passRange,
  splitWindows,
  toMs,
} from './mailbox-windows';

// Changing a constant below that shapes the command sequence (window growth and halving, the upsert
// cadence) changes what a replay of a running mailbox expects: put the new value behind patched()
// (docs/architecture.md, Versioning) and keep test/replay green.
/** A window whose page token keeps being rejected after this many restarts fails the pass. */
export const MAX_WINDOW_TOKEN_RESTARTS = 3;
/**
 * A window still paging after this many pages is halved (docs/architecture.md, Tokens and windows): its pages
 * are listed again (content is not: the index has it), but no window runs unbounded under expiring page
 * tokens.
 */
export const MAX_PAGES_PER_WINDOW = 200;
/** Up to this many sparse windows (of `windowDays`) are merged into one list request. */
export const MAX_WINDOW_GROWTH = 16;

/** What the state remembers of a view between passes: its delta token and how far back it is covered. */
export type ViewCoverage = { token?: string; coveredFrom?: string };

/** The windows of one view for a pass, fixed when the pass begins (docs/architecture.md, Tokens and windows). */
export function planViewCursor(
  view: View,
  mode: PassMode,
  settings: SourceSettings,
  nowMs: number,
  watermark: string | undefined,
  coverage: ViewCoverage,
  windowDays: number,
): ViewCursor {
  const { startDate, endDate } = settings.messages;
  const token = mode === 'delta' ? effectiveToken(coverage.token, watermark) : undefined;
  const range = passRange({
    startDate,
    endDate,
    token,
    deltaTokenOffsetMinutes: settings.performance.deltaTokenOffsetMinutes,
    nowMs,
  });
  const windows: TimeWindow[] = [];
  let coverageFrom: string | undefined;
  if (token) {
    // An earlier startDate than the view has covered: the missing range comes first (oldest first).
    const missing = missingEarlierRange(startDate, coverage.coveredFrom);
    if (missing) {
      windows.push(...splitWindows(missing, windowDays));
      coverageFrom = missing.start;
    }
  } else {
    coverageFrom = range?.start;
  }
  if (range) windows.push(...splitWindows(range, windowDays));
  return { view, windows, windowIndex: 0, coverageFrom, pageIndex: 0, tokenRestarts: 0 };
}

/** The next page of a view whose windows are not all done. */
export function pageStepOf(cursor: ViewCursor): Extract<MailboxStep, { kind: 'page' }> {
  return {
    kind: 'page',
    view: cursor.view,
    window: cursor.windows[cursor.windowIndex]!,
    pageToken: cursor.pageToken,
    pageIndex: cursor.pageIndex,
    previousLastReceived: cursor.previousLastReceived,
    watermarkOnLastPage: true,
  };
}

export function completeWindow(pass: PassCursor, cursor: ViewCursor, coverage: ViewCoverage): void {
  const window = cursor.windows[cursor.windowIndex];
  const pagesInWindow = cursor.pageIndex + 1;
  // The token only moves forward: a window of an earlier missing range must not lower it.
  coverage.token = coverage.token ? maxIso(coverage.token, window.end) : window.end;
  if (cursor.coverageFrom && toMs(window.start) <= toMs(cursor.coverageFrom)) {
    coverage.coveredFrom =
      coverage.coveredFrom && toMs(coverage.coveredFrom) < toMs(cursor.coverageFrom)
        ? coverage.coveredFrom
        : cursor.coverageFrom;
  }
  cursor.windowIndex += 1;
  cursor.tokenRestarts = 0;
  resetPageCursor(cursor);
  if (cursor.growth !== undefined) adaptNextWindow(cursor, pagesInWindow);
  if (cursor.windowIndex >= cursor.windows.length && !pass.viewsCompleted.includes(cursor.view)) {
    pass.viewsCompleted.push(cursor.view);
  }
}

/**
 * Sparse windows cost one list call each whatever they hold, so after a window that fit in one page
 * the next not-yet-started windows are merged (doubling up to MAX_WINDOW_GROWTH); a window that
 * needed several pages resets the growth. Only contiguous windows merge, and a window's bounds are
 * fixed once its first page is listed (docs/architecture.md, Tokens and windows).
 */
function adaptNextWindow(cursor: ViewCursor, pagesInWindow: number): void {
  const growth = cursor.growth ?? 1;
  cursor.growth =
    pagesInWindow <= 1 ? Math.min(growth * 2, MAX_WINDOW_GROWTH) : pagesInWindow > 3 ? 1 : growth;
  const first = cursor.windowIndex;
  let last = first;
  while (
    last + 1 < cursor.windows.length &&
    last + 1 - first < cursor.growth &&
    cursor.windows[last].end === cursor.windows[last + 1].start
  ) {
    last += 1;
  }
  if (last > first) {
    const merged = { start: cursor.windows[first].start, end: cursor.windows[last].end };
    cursor.windows.splice(first, last - first + 1, merged);
  }
}

export function resetPageCursor(cursor: ViewCursor): void {
  cursor.pageToken = undefined;
  cursor.pageIndex = 0;
  cursor.previousLastReceived = undefined;
}

/**
 * Moves the cursor by one page's outcome: next page, window complete, restart after a rejected page token, or
 * halving a refused window. Returns why the pass fails, when it does.
 */
export function advanceCursor(
  pass: PassCursor,
  cursor: ViewCursor,
  result: CrawlPageResult,
  coverageOf: () => ViewCoverage,
): string | undefined {
  let failure: string | undefined;
  switch (result.outcome) {
    case 'page': {
      cursor.pageToken = result.nextPageToken;
      cursor.pageIndex += 1;
      cursor.previousLastReceived = result.lastReceived ?? cursor.previousLastReceived;
      const halves =
        cursor.pageIndex >= MAX_PAGES_PER_WINDOW
          ? halveWindow(cursor.windows[cursor.windowIndex])
          : undefined;
      if (halves) {
        cursor.windows.splice(cursor.windowIndex, 1, ...halves);
        resetPageCursor(cursor);
      }
      break;
    }
    case 'windowComplete':
      completeWindow(pass, cursor, coverageOf());
      break;
    case 'pageTokenRejected':
      pass.counters.pageTokenRestarts += 1;
      cursor.tokenRestarts += 1;
      if (cursor.tokenRestarts > MAX_WINDOW_TOKEN_RESTARTS) {
        failure = `the page token of window ${cursor.windows[cursor.windowIndex].start}..${cursor.windows[cursor.windowIndex].end} (${cursor.view}) was still rejected after ${MAX_WINDOW_TOKEN_RESTARTS} restarts`;
      }
      resetPageCursor(cursor);
      break;
    case 'windowRejected': {
      const window = cursor.windows[cursor.windowIndex];
      const halves = halveWindow(window);
      if (!halves) {
        failure = `the archive refused to list ${window.start}..${window.end} (${cursor.view}) even as one second${result.problem ? `: ${result.problem}` : ''}`;
        break;
      }
      cursor.windows.splice(cursor.windowIndex, 1, ...halves);
      resetPageCursor(cursor);
      break;
    }
  }
  return failure;
}
