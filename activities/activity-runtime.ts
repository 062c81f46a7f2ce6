// ActivityRuntime implementations (activities/deps.ts): over the Temporal activity Context when an
// activity runs in a worker, and a plain one for loops outside Temporal (benchmark, tests).
import { Context } from '@temporalio/activity';
import type { ActivityRuntime } from './ports';

/** The runtime of the activity being executed; call it inside the activity function. */
export function temporalActivityRuntime(): ActivityRuntime {
  const ctx = Context.current();
  return {
    heartbeat: (details) => ctx.heartbeat(details),
    lastHeartbeatDetails: <T>() => ctx.info.heartbeatDetails as T | undefined,
    attempt: () => ctx.info.attempt,
    cancellationSignal: () => ctx.cancellationSignal,
    heartbeatTimeoutMs: () => ctx.info.heartbeatTimeoutMs,
  };
}

export interface PlainRuntimeOptions {
  /** Details a previous (crashed) attempt heartbeated, to exercise the resume path. */
  previousDetails?: unknown;
  attempt?: number;
  signal?: AbortSignal;
  onHeartbeat?: (details: unknown) => void;
  heartbeatTimeoutMs?: number;
}

/** A runtime without Temporal: remembers the last heartbeat so a caller can resume from it. */
export class PlainActivityRuntime implements ActivityRuntime {
  lastDetails: unknown;

  constructor(private readonly options: PlainRuntimeOptions = {}) {}

  heartbeat(details?: unknown): void {
    this.lastDetails = details;
    this.options.onHeartbeat?.(details);
  }
  lastHeartbeatDetails<T>(): T | undefined {
    return this.options.previousDetails as T | undefined;
  }
  attempt(): number {
    return this.options.attempt ?? 1;
  }
  cancellationSignal(): AbortSignal | undefined {
    return this.options.signal;
  }
  heartbeatTimeoutMs(): number | undefined {
    return this.options.heartbeatTimeoutMs;
  }
}

/** The runtime an activity uses: the injected one, or the Temporal context's. */
export function activityRuntime(injected: (() => ActivityRuntime) | undefined): ActivityRuntime {
  return injected ? injected() : temporalActivityRuntime();
}
