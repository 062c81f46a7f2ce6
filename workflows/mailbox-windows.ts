// Pure window maths of a mailbox pass (docs/architecture.md, Tokens and windows): the range [S, E] of a view,
// its split into fixed windows (oldest first), halving a rejected window, and the effective delta token.
// Times are ISO-8601 UTC at one-second resolution ("2024-01-31T23:59:59Z"); bounds are inclusive.
import type { TimeWindow } from '../common/contracts';
import { invariantFailure } from './workflow-failures';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Shapes the command sequence: a new value goes behind patched() (docs/architecture.md, Versioning). */
export const DEFAULT_WINDOW_DAYS = 7;

/** ms → "YYYY-MM-DDTHH:mm:ssZ", truncated to the second (bounds are whole seconds). */
export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw invariantFailure(`not a date: ${iso}`);
  return ms;
}

export function minIso(a: string, b: string): string {
  return toMs(a) <= toMs(b) ? a : b;
}
export function maxIso(a: string, b: string): string {
  return toMs(a) >= toMs(b) ? a : b;
}

export interface PassRangeInput {
  startDate: string;
  endDate?: string;
  /** The effective token of the view (end of the last completed window), if any. */
  token?: string;
  /** ≤ 0: overlap applied to a saved token. */
  deltaTokenOffsetMinutes: number;
  /** Workflow time when the pass starts. */
  nowMs: number;
}

/**
 * `E = min(endDate, now)`, `S = token ? max(startDate, token + offset) : startDate`.
 * Returns undefined when nothing is left to list (S after E).
 */
export function passRange(input: PassRangeInput): TimeWindow | undefined {
  const now = isoSecond(input.nowMs);
  const end = input.endDate ? minIso(input.endDate, now) : now;
  const start = input.token
    ? maxIso(input.startDate, isoSecond(toMs(input.token) + input.deltaTokenOffsetMinutes * 60_000))
    : isoSecond(toMs(input.startDate));
  if (toMs(start) > toMs(end)) return undefined;
  return { start, end };
}

/**
 * Splits an inclusive range into windows of `days`, oldest first. Adjacent windows share their
 * boundary second (deterministic document ids remove the duplicates), so no second is skipped.
 */
export function splitWindows(range: TimeWindow, days: number = DEFAULT_WINDOW_DAYS): TimeWindow[] {
  const step = Math.max(1000, Math.floor(days * DAY_MS));
  const endMs = toMs(range.end);
  const windows: TimeWindow[] = [];
  let startMs = toMs(range.start);
  for (;;) {
    const windowEnd = Math.min(startMs + step, endMs);
    windows.push({ start: isoSecond(startMs), end: isoSecond(windowEnd) });
    if (windowEnd >= endMs) return windows;
    startMs = windowEnd;
  }
}

/** A window whose list request was refused is split in two halves sharing the middle second. */
export function halveWindow(window: TimeWindow): [TimeWindow, TimeWindow] | undefined {
  const startMs = toMs(window.start);
  const endMs = toMs(window.end);
  if (endMs - startMs < 2000) return undefined;
  const mid = isoSecond(startMs + Math.floor((endMs - startMs) / 2000) * 1000);
  return [
    { start: window.start, end: mid },
    { start: mid, end: window.end },
  ];
}

/**
 * The token a pass uses: the lower of the workflow's token and the index's watermark; no watermark
 * means no token, so a dropped or restored index is re-filled instead of leaving a silent gap.
 */
export function effectiveToken(
  workflowToken: string | undefined,
  watermark: string | undefined,
): string | undefined {
  if (!workflowToken || !watermark) return undefined;
  return minIso(workflowToken, watermark);
}

/**
 * The range a view has never covered because `startDate` moved earlier than where its coverage
 * begins: `[startDate, coveredFrom]`, or undefined when there is none.
 */
export function missingEarlierRange(
  startDate: string,
  coveredFrom: string | undefined,
): TimeWindow | undefined {
  if (!coveredFrom) return undefined;
  if (toMs(startDate) >= toMs(coveredFrom)) return undefined;
  return { start: isoSecond(toMs(startDate)), end: coveredFrom };
}
