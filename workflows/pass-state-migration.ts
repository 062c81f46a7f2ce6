// Pure migration of the pass state carried across continue-as-new (docs/architecture.md, Versioning): a run
// of a newer release must accept what an older release carried, and refuse what it cannot understand.
import type { PassCarriedState } from '../common/contracts';
import { PASS_STATE_VERSION, type PassStateData } from './pass-state-data';

export class UnknownPassStateVersionError extends Error {
  constructor(version: unknown) {
    super(
      `carried pass state has version ${String(version)}; this worker understands up to ${PASS_STATE_VERSION}`,
    );
    this.name = 'UnknownPassStateVersionError';
  }
}

/** Brings carried state of any known version to the current shape. */
export function migratePassState(carried: PassCarriedState): PassStateData {
  // Version 1 is the first shape; later versions add a step here (v1 → v2 …) and never remove one.
  if (carried.version === 1) return carried as unknown as PassStateData;
  throw new UnknownPassStateVersionError(carried.version);
}

export function toCarriedState(data: PassStateData): PassCarriedState {
  return data as unknown as PassCarriedState;
}
