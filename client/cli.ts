// The `mimecast-crawler` command line (docs/architecture.md, Commands and environment). Each command lives in
// client/commands/; this file declares the arguments and help, and maps outcomes and errors to exit statuses.
import { errors as elasticErrors } from '@elastic/elasticsearch';
import { elasticConnectionHint } from '../activities/elastic/connection';
import { Argument, Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context';
import { createCliContext } from './cli-context';
import { processIo, type CliIo } from './cli-io';
import { crawlCommand } from './commands/crawl';
import { passControlCommand, type PassControlAction } from './commands/pass-control';
import { restartMailboxCommand, retryFailedCommand } from './commands/restart-mailbox';
import { scheduleCommand, type ScheduleAction } from './commands/schedule';
import { statusCommand } from './commands/status';
import { readEnvironment } from './environment';
import { ConfigFileError, loadSettingsFile } from './settings-file';

const ENVIRONMENT_HELP = `
Environment:
  TEMPORAL_ADDRESS       Temporal frontend (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE     namespace (default "default")
  TEMPORAL_TASK_QUEUE    task queue of the workers (default "mimecast-crawler")
  TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA   mTLS (file paths or inline PEM);
                         TEMPORAL_TLS_SERVER_NAME overrides the TLS server name
  TEMPORAL_API_KEY       API key (Temporal Cloud)
  TEMPORAL_UI_URL        Web UI base for printed links (default http://127.0.0.1:8233)
  ELASTICSEARCH_URL      Elasticsearch (default http://127.0.0.1:9200), or ELASTICSEARCH_CLOUD_ID;
                         ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD;
                         ELASTICSEARCH_CA_CERT (PEM file) or ELASTICSEARCH_CA_FINGERPRINT (as the worker)
  MIMECAST_ADDRESS_HASH_KEY   key of privacy.hashAddresses (restart-mailbox of an unregistered mailbox)
  PAYLOAD_CODEC_KEYS     keyId:base64Key[,…] of the payload codec (first encrypts), or PAYLOAD_CODEC_KEY_FILE`;

const CRAWL_EXIT_HELP = `
Exit status with --wait:
  0  completed (item failures are listed, not fatal)
  2  completed with failed mailboxes (see: status --source ID; restart-mailbox)
  3  deletions withheld (run again with --confirm-deletions after checking them)
  1  failed, cancelled or skipped (another pass of the source was running)`;

const SCHEDULE_HELP = `
Actions:
  create     create crawl-schedule:<sourceId> (and crawl-schedule:<sourceId>:reconcile with --reconcile-*)
  update     replace the settings from --config, and the times if --every/--cron are given
  describe   show times, policies, recent and next runs
  pause | unpause   both schedules of the source
  trigger    start a pass now (--reconcile: the reconcile schedule)
  delete     delete both schedules (running passes go on)

Scheduled passes run crawlArchive with workflow ids crawl:<sourceId>:scheduled-<time> (overlap
BUFFER_ONE, pause on failure, explicit catch-up window). The settings of --config are stored in the
schedule; they name a credential, never a secret.

Examples:
  mimecast-crawler schedule create --config source.json --every 1h --reconcile-every 7d
  mimecast-crawler schedule update --config source.json --cron "*/30 * * * *"
  mimecast-crawler schedule trigger --source acme`;

const CODEC_SERVER_HELP = `
Keys come from PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE, as for the worker. CODEC_SERVER_TOKEN,
when set, must be sent as "Authorization: Bearer <token>" (the Web UI's "Pass the user access
token" sends its own login's token instead: put the server behind your proxy then).
Examples:
  mimecast-crawler codec-server --port 8888
  temporal workflow show -w crawl:acme --codec-endpoint http://127.0.0.1:8888`;

interface CliDependencies {
  /** Builds the command context; tests inject env, io and short poll intervals. */
  context?: (io: CliIo) => CliContext;
  io?: CliIo;
}

/** Runs one command line (without `node script`) and returns the exit status. */
export async function runCli(argv: string[], deps: CliDependencies = {}): Promise<number> {
  const io = deps.io ?? processIo();
  let ctx: CliContext | undefined;
  const context = () => (ctx ??= deps.context ? deps.context(io) : createCliContext(readEnvironment(), io));
  let exitCode = 0;
  const run = (fn: (ctx: CliContext) => Promise<number>) => async () => {
    exitCode = await fn(context());
  };
  const program = buildProgram(io, run);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitCode = reportError(io, err, ctx);
  } finally {
    await ctx?.close().catch(() => undefined);
  }
  return exitCode;
}

function reportError(io: CliIo, err: unknown, ctx: CliContext | undefined): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    return err.exitCode;
  }
  if (err instanceof ConfigFileError) {
    io.err(`Invalid configuration ${err.path}:`);
    for (const problem of err.problems) io.err(`  - ${problem}`);
    return 1;
  }
  const message = (err as Error)?.message ?? String(err);
  const elasticHint = err instanceof elasticErrors.ElasticsearchClientError && elasticConnectionHint(err);
  if (elasticHint) {
    io.err(`${elasticHint} (${message.split('\n')[0]}).`);
    return 1;
  }
  if (/Failed to connect|ECONNREFUSED|UNAVAILABLE|Connection refused|transport error/i.test(message) && ctx) {
    io.err(`Cannot reach a server (${message.split('\n')[0]}).`);
    io.err(
      `  Temporal: ${ctx.env.temporalAddress}, Elasticsearch: ${ctx.env.elasticsearchUrl}. Local servers: bash scripts/services.sh up`,
    );
    return 1;
  }
  io.err(`Error: ${message}`);
  return 1;
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
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .addHelpText('after', ENVIRONMENT_HELP);

  const sub = (name: string) =>
    program
      .command(name)
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
    .addHelpText('after', CRAWL_EXIT_HELP)
    .action((opts) => run(async (ctx) => (await crawlCommand(ctx, opts)).exitCode)());

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
    .action((opts) =>
      run((ctx) =>
        statusCommand(ctx, { source: opts.source, mailbox: opts.mailbox, prefix: prefixOf(opts) }),
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
    .addHelpText('after', SCHEDULE_HELP)
    .action((action: ScheduleAction, opts) => run((ctx) => scheduleCommand(ctx, action, opts))());

  sub('validate')
    .description(
      'check a configuration file; with --connect also authenticate and try each endpoint the crawl needs',
    )
    .requiredOption('--config <file>', 'source configuration')
    .option('--connect', 'authenticate against Mimecast with the named credential and try every endpoint')
    .action((opts) =>
      run(async (ctx) => {
        const { runValidate } = lazyRequire<typeof import('./validate')>('./validate');
        const result = await runValidate({ configPath: opts.config, connect: Boolean(opts.connect) });
        for (const line of result.lines) (result.ok ? ctx.io.out : ctx.io.err)(line);
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
