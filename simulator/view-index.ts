// Per mailbox/view index of received seconds (plus added, deleted and shared entries), and list results.
import type { SharedEntry } from './shared-pool';
import type { View } from './types';

// Module-level copies of globals: a global lookup per call is very slow inside jest's vm context.
const F64 = Float64Array;
const I32 = Int32Array;
const NodeArray = Array;

export class ViewIndex {
  baseTimes: Float64Array;
  extras = new Map<number, number>();
  deleted = new Set<number>();
  shared: number[] = [];
  deletedShared = new Set<number>();
  nextIndex: number;
  private merged: { times: Float64Array; refs: Int32Array } | null = null;
  constructor(baseTimes: Float64Array) {
    this.baseTimes = baseTimes;
    this.nextIndex = baseTimes.length;
  }
  invalidate(): void {
    this.merged = null;
  }
  /** All live entries sorted by received second (ascending), refs: local index ≥ 0, shared k as -(k+1). */
  sorted(pool: SharedEntry[]): { times: Float64Array; refs: Int32Array } {
    if (this.merged) return this.merged;
    const n = this.baseTimes.length;
    if (!this.extras.size && !this.deleted.size && !this.shared.length) {
      const refs = new I32(n);
      for (let i = 0; i < n; i++) refs[i] = i;
      this.merged = { times: this.baseTimes, refs };
      return this.merged;
    }
    const refs: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!this.deleted.has(i)) {
        refs.push(i);
        times.push(this.baseTimes[i]);
      }
    }
    for (const [i, t] of this.extras) {
      if (!this.deleted.has(i)) {
        refs.push(i);
        times.push(t);
      }
    }
    for (const k of this.shared) {
      if (!this.deletedShared.has(k)) {
        refs.push(-(k + 1));
        times.push(pool[k].timeSec);
      }
    }
    const order = NodeArray.from(refs.keys()).sort((a, b) => times[a] - times[b] || refs[a] - refs[b]);
    this.merged = {
      times: F64.from(order, (o) => times[o]),
      refs: I32.from(order, (o) => refs[o]),
    };
    return this.merged;
  }
  has(index: number): boolean {
    return !this.deleted.has(index) && (index < this.baseTimes.length || this.extras.has(index));
  }
  timeOf(index: number): number | undefined {
    return index < this.baseTimes.length ? this.baseTimes[index] : this.extras.get(index);
  }
}

/** One result set of get-message-list, ascending by received second. */
export interface Listing {
  count: number;
  times: Float64Array;
  mbx: Int32Array | number;
  refs: Int32Array;
}

export interface ListQuery {
  mailbox: string;
  view: View;
  startSec: number;
  endSec: number;
  includeAliases: boolean;
  includeDelegates: boolean;
}

export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
