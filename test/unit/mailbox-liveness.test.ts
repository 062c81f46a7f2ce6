// The progress mark of a running mailbox workflow: history growth and activity attempts and
// heartbeats change it; workflow task attempts (a task that keeps failing) do not.
import { describeProgress } from '../../activities/pass/mailbox-liveness';

type Description = Parameters<typeof describeProgress>[1];

function description(over: { historyLength?: number; raw?: object } = {}): Description {
  return { historyLength: over.historyLength ?? 10, raw: { ...over.raw } } as unknown as Description;
}

const page = (attempt: number, heartbeat: number) => ({
  activityId: '7',
  activityType: { name: 'crawlPage' },
  attempt,
  lastStartedTime: { seconds: 100, nanos: 0 },
  lastHeartbeatTime: { seconds: heartbeat, nanos: 0 },
  lastFailure: attempt > 1 ? { message: 'HTTP 503' } : undefined,
});

it('changes with history growth, activity attempts and heartbeats', () => {
  const base = describeProgress('w', description({ raw: { pendingActivities: [page(1, 110)] } }));
  expect(base.detail).toBe('10 history events; crawlPage attempt 1');
  const marks = [
    base,
    describeProgress('w', description({ historyLength: 11, raw: { pendingActivities: [page(1, 110)] } })),
    describeProgress('w', description({ raw: { pendingActivities: [page(1, 120)] } })),
    describeProgress('w', description({ raw: { pendingActivities: [page(2, 110)] } })),
  ].map((d) => d.progressMark);
  expect(new Set(marks).size).toBe(4);
});

it('does not change while a workflow task keeps failing, and says so', () => {
  const failing = (attempt: number) =>
    describeProgress('w', description({ raw: { pendingWorkflowTask: { attempt, startedTime: {} } } }));
  expect(failing(3).progressMark).toBe(failing(9).progressMark);
  expect(failing(9).detail).toBe('10 history events; its workflow task has failed 8 times');
  expect(describeProgress('w', description({ raw: { pendingWorkflowTask: { attempt: 1 } } })).detail).toMatch(
    /waits for a worker/,
  );
  expect(describeProgress('w', description()).detail).toBe('10 history events; nothing pending');
});
