// Who or what started a pass, for its report: the schedule (its id comes from the workflow's
// TemporalScheduledById search attribute), the mimecast-crawler CLI (its Temporal identity names
// the user and host), or any other client (its Temporal identity, from the first run's start event).
import type { Client } from '@temporalio/client';
import type { PassStarter, PassStarterRef } from '../../common/activity-contracts';

const CLI_IDENTITY = /^mimecast-crawler-cli (?<user>[^@\s]+)@(?<host>\S+)$/;

/** The identity the CLI's Temporal client uses, so reports can name the user and host. */
export function cliIdentity(user: string, host: string): string {
  return `mimecast-crawler-cli ${user.replace(/[@\s]/g, '_') || 'unknown'}@${host.replace(/\s/g, '_') || 'unknown'}`;
}

export function describeStarter(ref: PassStarterRef, identity: string | undefined): PassStarter {
  const withIdentity = identity ? { identity } : {};
  if (ref.scheduleId) return { kind: 'schedule', scheduleId: ref.scheduleId, ...withIdentity };
  const cli = identity ? CLI_IDENTITY.exec(identity)?.groups : undefined;
  if (cli) return { kind: 'cli', user: cli.user!, host: cli.host!, ...withIdentity };
  return { kind: 'temporal', ...withIdentity };
}

/** Reads the first run's start event (one event, not the history) for the starter's identity. */
export async function startIdentity(temporal: Client, ref: PassStarterRef): Promise<string | undefined> {
  const response = await temporal.workflowService.getWorkflowExecutionHistory({
    namespace: temporal.options.namespace,
    execution: { workflowId: ref.workflowId, runId: ref.firstExecutionRunId },
    maximumPageSize: 1,
  });
  const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.identity || undefined;
}
