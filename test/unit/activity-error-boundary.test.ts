// The one error boundary of the activities (docs/architecture.md, Error scopes): whatever an activity
// throws, synchronously or not, leaves as the typed ApplicationFailure of its kind.
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../../common/contracts';
import { SourceError, ThrottledError, TransientError } from '../../common/node/errors';
import { withErrorBoundary } from '../../activities/error-boundary';
import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../activities/deps';

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('activity error boundary', () => {
  const activities = withErrorBoundary({
    source: async (_: { n: number }) => {
      throw new SourceError('403: the app lacks the Archive product');
    },
    throttled: async () => {
      throw new ThrottledError('429 for 3 minutes', 180_000);
    },
    syncThrow: (() => {
      throw new Error('ECONNRESET');
    }) as () => Promise<void>,
    alreadyTyped: async () => {
      throw ApplicationFailure.create({ type: 'Custom', message: 'kept', nonRetryable: true });
    },
    fine: async (input: { n: number }) => input.n + 1,
  });

  it('types each kind, with the retry decision of its kind', async () => {
    const source = await failureOf(activities.source({ n: 1 }));
    expect(source).toMatchObject({ type: FailureTypes.source, nonRetryable: true });
    const throttled = await failureOf(activities.throttled());
    expect(throttled).toMatchObject({ type: FailureTypes.throttled, nonRetryable: false });
    expect(throttled.nextRetryDelay).toBe(180_000);
  });

  it('catches synchronous throws and classifies unknown errors as transient', async () => {
    expect(await failureOf(activities.syncThrow())).toMatchObject({
      type: FailureTypes.transient,
      nonRetryable: false,
    });
  });

  it('leaves an ApplicationFailure as it is and results untouched', async () => {
    expect(await failureOf(activities.alreadyTyped())).toMatchObject({ type: 'Custom', message: 'kept' });
    await expect(activities.fine({ n: 1 })).resolves.toBe(2);
  });

  it('is where createActivities sends every activity through', async () => {
    // No Temporal client: the pass activity that needs one fails, and leaves typed.
    const deps = { logger: console } as unknown as ActivityDeps;
    const failure = await failureOf(createActivities(deps).describeMailboxes({ workflowIds: ['x'] }));
    expect(Object.values(FailureTypes)).toContain(failure.type);
  });
});

// TransientError is what the transport throws for 5xx: same action as an unknown error.
it('maps a TransientError like an unknown error', async () => {
  const bounded = withErrorBoundary({
    t: async () => {
      throw new TransientError('502');
    },
  });
  expect(await failureOf(bounded.t())).toMatchObject({ type: FailureTypes.transient, nonRetryable: false });
});
