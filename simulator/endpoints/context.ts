// What every endpoint module of the simulator shares: the server's dependencies, its call counters and
// the seeded random streams (faults, list shuffles), so a run is a function of the seed.
import type { Corpus } from '../corpus';
import { SeededRandom } from '../seeded-random';
import type { FaultSpec, SimulatorCredential, SimulatorSwitches } from '../types';

export interface ServerDeps {
  corpus: Corpus;
  credentials: SimulatorCredential[];
  tokenTtlSeconds: number;
  switches: SimulatorSwitches;
  faults: FaultSpec;
  now: () => number;
  seed: number;
  control: (op: string, body: unknown) => Promise<unknown>;
}

export class SimContext {
  readonly faultRandom: SeededRandom;
  readonly shuffleRandom: SeededRandom;
  private readonly counterMap = new Map<string, number>();

  constructor(readonly deps: ServerDeps) {
    this.faultRandom = SeededRandom.of(deps.seed, 'faults');
    this.shuffleRandom = SeededRandom.of(deps.seed, 'shuffle');
  }

  count(key: string): void {
    this.counterMap.set(key, (this.counterMap.get(key) ?? 0) + 1);
  }
  counters(): Record<string, number> {
    return Object.fromEntries(this.counterMap);
  }
  resetCounters(): void {
    this.counterMap.clear();
  }
}
