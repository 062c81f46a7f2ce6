// `--json`: one JSON document on stdout for scripts. The human lines of a command are dropped
// (and the live progress bar is off); errors still go to stderr.
import type { CliContext } from './cli-context';
import type { CliIo } from './cli-io';

export const JSON_OPTION_HELP = 'print one JSON document on stdout instead of text';

/** The context a command runs with under --json: its text output is silenced. */
export function quietContext<T extends Pick<CliContext, 'io'>>(ctx: T): T {
  const io: CliIo = { ...ctx.io, out: () => undefined, isTTY: false };
  return { ...ctx, io };
}

export function printJson(io: CliIo, document: unknown): void {
  io.out(JSON.stringify(document, null, 2));
}
