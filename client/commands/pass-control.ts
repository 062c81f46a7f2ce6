// `pause|resume|cancel --source ID`: an Update on the running pass, answered with its progress.
import { WorkflowNotFoundError } from '@temporalio/client';
import { cancelPassUpdate, pausePassUpdate, resumePassUpdate } from '../../common/messages';
import type { PassProgress } from '../../common/contracts';
import type { CliContext } from '../cli-context';
import { progressFigures, progressLine } from '../progress-format';
import { findRunningPass } from '../running-pass';

export type PassControlAction = 'pause' | 'resume' | 'cancel';

export async function passControlCommand(
  ctx: Pick<CliContext, 'io' | 'temporal'>,
  action: PassControlAction,
  opts: { source: string; reason?: string },
): Promise<number> {
  const client = await ctx.temporal();
  const handle = await findRunningPass(client, opts.source);
  if (!handle) {
    ctx.io.err(`No running pass of source ${opts.source}.`);
    return 1;
  }
  let progress: PassProgress;
  try {
    if (action === 'pause') progress = await handle.executeUpdate(pausePassUpdate);
    else if (action === 'resume') progress = await handle.executeUpdate(resumePassUpdate);
    else
      progress = await handle.executeUpdate(cancelPassUpdate, {
        args: [{ reason: opts.reason ?? 'cancelled from the CLI' }],
      });
  } catch (err) {
    // The pass ended between finding it and asking it.
    if (!(err instanceof WorkflowNotFoundError) && !/already completed/.test(String(err))) throw err;
    ctx.io.err(`No running pass of source ${opts.source}.`);
    return 1;
  }
  const verb = { pause: 'Paused', resume: 'Resumed', cancel: 'Cancelling' }[action];
  ctx.io.out(`${verb} pass ${handle.workflowId}.`);
  ctx.io.out(progressLine(progressFigures(progress, 0)).replace(/ · [\d.]+ msg\/s/, ''));
  return 0;
}
