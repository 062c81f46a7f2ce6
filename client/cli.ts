// The `mimecast-crawler` command line (docs/architecture.md, Commands and environment). Each command lives in
// client/commands/; this file declares the arguments and help, and maps outcomes and errors to exit statuses.
import { Argument, Command } from 'commander';
import packageJson from '../package.json';
import type { CliContext } from './cli-context';
import { createCliContext } from './cli-context';
import { reportError } from './cli-errors';
import { processIo, type CliIo } from './cli-io';
import { crawlCommand } from './commands/crawl';
import { passControlCommand, type PassControlAction } from './commands/pass-control';
import { restartMailboxCommand, retryFailedCommand } from './commands/restart-mailbox';
import { scheduleCommand, type ScheduleAction } from './commands/schedule';
import { statusCommand } from './commands/status';
import { CODEC_SERVER_HELP, CRAWL_EXIT_HELP, ENVIRONMENT_HELP, SCHEDULE_HELP } from './cli-help';
import { readEnvironment, withOverrides, type ConnectionOverrides } from './environment';
import { describeExitStatus } from './exit-status';
import { JSON_OPTION_HELP, printJson, quietContext } from './json-output';
import { loadSettingsFile } from './settings-file';

interface CliDependencies {
  /** Builds the command context; tests inject env, io and short poll intervals. */
  context?: (io: CliIo, overrides: ConnectionOverrides) => CliContext;
  io?: CliIo;
}

/** Runs one command line (without `node script`) and returns the exit status. */
export async function runCli(argv: string[], deps: CliDependencies = {}): Promise<number> {
  const io = deps.io ?? processIo();
  let ctx: CliContext | undefined;
  const overrides: ConnectionOverrides = {};
  const context = () =>
    (ctx ??= deps.context
      ? deps.context(io, overrides)
      : createCliContext(withOverrides(readEnvironment(), overrides), io));
  let exitCode = 0;
  const run = (fn: (ctx: CliContext) => Promise<number>) => async () => {
    exitCode = await fn(context());
  };
  const program = buildProgram(io, run);
  // --address / --namespace may stand before or after the command name.
  program.hook('preAction', (_program, command) => {
    for (const source of [program.opts(), command.opts()] as ConnectionOverrides[]) {
      if (source.address) overrides.address = source.address;
      if (source.namespace) overrides.namespace = source.namespace;
    }
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitCode = reportError(io, err, ctx);
  } finally {
    await ctx?.close().catch(() => undefined);
  }
  return exitCode;
}

/**
 * Loads a command's heavy module only when that command runs. `require`, not `import()`: under
 * tsx's CommonJS hook a dynamic import goes to the ESM loader, which cannot resolve `.ts` paths.
 */
function lazyRequire<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

type Runner = (fn: (ctx: CliContext) => Promise<number>) => () => Promise<void>;

function prefixOf(opts: { prefix?: string; config?: string }): string {
  return opts.config ? loadSettingsFile(opts.config).index.prefix : (opts.prefix ?? 'mimecast');
}

export function buildProgram(io: CliIo, run: Runner): Command {
  const program = new Command('mimecast-crawler')
    .description('Copies a Mimecast email archive (API 2.0) into Elasticsearch, durably, on Temporal.')
    .version(packageJson.version, '-V, --version', 'print the version (from package.json)')
    .option('--address <host:port>', 'Temporal frontend (instead of TEMPORAL_ADDRESS)')
    .option('--namespace <name>', 'Temporal namespace (instead of TEMPORAL_NAMESPACE)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .addHelpText('after', ENVIRONMENT_HELP);

  const sub = (name: string) =>
    program
      .command(name)
      .option('--address <host:port>', 'Temporal frontend (instead of TEMPORAL_ADDRESS)')
      .option('--namespace <name>', 'Temporal namespace (instead of TEMPORAL_NAMESPACE)')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  sub('crawl')
    .description('start one pass of a source; with --wait follow it with a live progress bar')
    .requiredOption('--config <file>', 'source configuration (JSON or YAML), parsed strictly')
    .option('--wait', 'follow the pass until it ends; exit status tells the outcome')
    .option(
      '--ignore-delta-tokens',
      'reconcile this pass: list the whole date range, fetch only missing content, remove what the archive no longer has',
    )
    .option(
      '--refetch-content',
      'with --ignore-delta-tokens: fetch the content of every message again (e.g. after an extraction upgrade)',
    )
    .option('--confirm-deletions', 'perform mailbox deletions that an earlier pass withheld')
    .option('--force', 'run even if another pass of this source is running')
    .option('--json', JSON_OPTION_HELP)
    .addHelpText('after', CRAWL_EXIT_HELP)
    .action((opts) =>
      run(async (ctx) => {
        if (!opts.json) return (await crawlCommand(ctx, opts)).exitCode;
        const outcome = await crawlCommand(quietContext(ctx), opts);
        printJson(ctx.io, { ...outcome, outcome: describeExitStatus(outcome.exitCode) });
        return outcome.exitCode;
      })(),
    );

  for (const action of ['pause', 'resume', 'cancel'] as PassControlAction[]) {
    const descriptions = {
      pause: 'pause the running pass of a source (mailboxes finish their current page)',
      resume: 'resume a paused pass',
      cancel: 'cancel the running pass (mailboxes finish their current page and keep their delta tokens)',
    };
    const command = sub(action)
      .description(descriptions[action])
      .requiredOption('--source <id>', 'sourceId of the configuration');
    if (action === 'cancel') command.option('--reason <text>', 'recorded in the pass report');
    command.action((opts) => run((ctx) => passControlCommand(ctx, action, opts))());
  }

  sub('status')
    .description(
      "mailboxes of a source from the registry index and the workflows' search attributes (works with no worker running)",
    )
    .requiredOption('--source <id>', 'sourceId')
    .option('--mailbox <address>', 'one mailbox, with live detail from its workflow (needs a worker)')
    .option('--prefix <prefix>', 'Elasticsearch index prefix', 'mimecast')
    .option('--config <file>', 'learn the index prefix from this configuration')
    .option('--json', JSON_OPTION_HELP)
    .action((opts) =>
      run((ctx) =>
        statusCommand(ctx, {
          source: opts.source,
          mailbox: opts.mailbox,
          prefix: prefixOf(opts),
          json: Boolean(opts.json),
        }),
      )(),
    );

  sub('restart-mailbox')
    .description('start a new pass of one mailbox (e.g. after it failed); prints the new pass id')
    .argument('<address>', 'mailbox address')
    .requiredOption('--source <id>', 'sourceId')
    .option('--config <file>', "settings for this pass (default: those of the mailbox's last pass)")
    .option(
      '--prefix <prefix>',
      'Elasticsearch index prefix (to look the mailbox up in the registry)',
      'mimecast',
    )
    .action((address: string, opts) =>
      run((ctx) =>
        restartMailboxCommand(ctx, {
          address,
          source: opts.source,
          config: opts.config,
          prefix: prefixOf(opts),
        }),
      )(),
    );

  sub('retry-failed')
    .description('retry the failed items of one mailbox, or of every mailbox with failed items')
    .requiredOption('--source <id>', 'sourceId')
    .option('--mailbox <address>', 'only this mailbox')
    .option('--prefix <prefix>', 'Elasticsearch index prefix', 'mimecast')
    .option('--config <file>', 'learn the index prefix from this configuration')
    .action((opts) =>
      run((ctx) =>
        retryFailedCommand(ctx, { source: opts.source, mailbox: opts.mailbox, prefix: prefixOf(opts) }),
      )(),
    );

  sub('schedule')
    .description('manage the Temporal schedules of a source')
    .addArgument(
      new Argument('<action>', 'create|update|describe|pause|unpause|trigger|delete').choices([
        'create',
        'update',
        'describe',
        'pause',
        'unpause',
        'trigger',
        'delete',
      ]),
    )
    .option('--config <file>', 'source configuration (required by create and update)')
    .option('--source <id>', 'sourceId (enough for describe, pause, unpause, trigger, delete)')
    .option('--every <duration>', 'interval of delta passes: 15m, 1h, 1d …')
    .option('--cron <expr>', 'cron expression of delta passes (UTC), instead of --every')
    .option('--reconcile-every <duration>', 'also a reconcile schedule at this interval, e.g. 7d')
    .option('--reconcile-cron <expr>', 'also a reconcile schedule at these times')
    .option('--catchup-window <duration>', 'missed runs older than this are skipped after an outage', '1h')
    .option('--reconcile', 'trigger: the reconcile schedule')
    .option('--note <text>', 'pause/unpause: note shown in the Web UI')
    .option('--json', `describe: ${JSON_OPTION_HELP}`)
    .addHelpText('after', SCHEDULE_HELP)
    .action((action: ScheduleAction, opts) => run((ctx) => scheduleCommand(ctx, action, opts))());

  sub('validate')
    .description(
      'check a configuration file; with --connect also authenticate and try each endpoint the crawl needs',
    )
    .requiredOption('--config <file>', 'source configuration')
    .option('--connect', 'authenticate against Mimecast with the named credential and try every endpoint')
    .option('--json', JSON_OPTION_HELP)
    .action((opts) =>
      run(async (ctx) => {
        const { runValidate } = lazyRequire<typeof import('./validate')>('./validate');
        const result = await runValidate({ configPath: opts.config, connect: Boolean(opts.connect) });
        if (opts.json) printJson(ctx.io, { config: opts.config, ...result });
        else for (const line of result.lines) (result.ok ? ctx.io.out : ctx.io.err)(line);
        return result.ok ? 0 : 1;
      })(),
    );

  sub('worker')
    .description('run a worker (workflows and activities) on TEMPORAL_TASK_QUEUE until SIGINT/SIGTERM')
    .action(
      run(async () => {
        const { runWorker } = lazyRequire<typeof import('../workers/main')>('../workers/main');
        return runWorker();
      }),
    );

  program
    .command('config')
    .description('about settings files')
    .exitOverride()
    .configureOutput({ writeOut: (str) => io.out(str.trimEnd()), writeErr: (str) => io.err(str.trimEnd()) })
    .command('schema')
    .description(
      'print the JSON Schema of a source settings file (shipped as schema/source-settings.schema.json)',
    )
    .exitOverride()
    .action(() =>
      run(async (ctx) => {
        const { settingsJsonSchema } =
          lazyRequire<typeof import('./settings-json-schema')>('./settings-json-schema');
        ctx.io.out(JSON.stringify(settingsJsonSchema(), null, 2));
        return 0;
      })(),
    );

  sub('codec-server')
    .description(
      "serve Temporal's remote codec protocol (POST /encode, /decode) so the Web UI shows decoded payloads",
    )
    .option('--port <n>', 'port', '8888')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--ui-origin <origin...>',
      'origins allowed by CORS (default: the origin of TEMPORAL_UI_URL, http://127.0.0.1:8233)',
    )
    .addHelpText('after', CODEC_SERVER_HELP)
    .action((opts) =>
      run(async (ctx) => {
        const { codecServerCommand } =
          lazyRequire<typeof import('./commands/codec-server')>('./commands/codec-server');
        return codecServerCommand(ctx, opts);
      })(),
    );

  sub('simulator')
    .description('run the local Mimecast API 2.0 simulator (tests, demo, benchmarks)')
    .option('--port <n>', 'port (default 8089)')
    .option(
      '--preset <name>',
      'corpus preset (tiny, small, medium, large, huge-mailbox, latency-32, demo, hostile)',
    )
    .option('--faults <spec>', 'fault injection, e.g. rate429=0.1,latencyMs=50')
    .action((opts: { port?: string; preset?: string; faults?: string }) =>
      run(async (ctx) => {
        const { runSimulatorCommand } = lazyRequire<typeof import('../simulator/cli')>('../simulator/cli');
        await runSimulatorCommand({ ...opts, out: ctx.io.out });
        return 0;
      })(),
    );

  sub('demo')
    .description('the guided demo against the local servers (npm run demo starts them first)')
    .option('--config <file>', 'demo source configuration', 'examples/demo-source.json')
    .option(
      '--simulator-url <url>',
      'simulator base URL (its /__control surface adds messages)',
      'http://127.0.0.1:8089',
    )
    .option('--new-messages <n>', 'messages added before the delta pass', '25')
    .action((opts) =>
      run(async (ctx) => {
        const { runDemo } = lazyRequire<typeof import('./demo')>('./demo');
        return runDemo(ctx, {
          config: opts.config,
          simulatorUrl: opts.simulatorUrl,
          newMessages: Number(opts.newMessages),
        });
      })(),
    );

  return program;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
