// How the CLI reports what ended a command: each message names the field, variable or flag to change.
import { errors as elasticErrors } from '@elastic/elasticsearch';
import { CommanderError } from 'commander';
import { elasticConnectionHint } from '../activities/elastic/connection';
import type { CliContext } from './cli-context';
import type { CliIo } from './cli-io';
import { ConfigFileError } from './settings-file';

/** Writes the error to stderr and returns the exit status. */
export function reportError(io: CliIo, err: unknown, ctx: CliContext | undefined): number {
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
      `  Temporal: ${ctx.env.temporalAddress} (set TEMPORAL_ADDRESS or --address), Elasticsearch: ${ctx.env.elasticsearchUrl} (set ELASTICSEARCH_URL). Local servers: bash scripts/services.sh up`,
    );
    return 1;
  }
  if (/namespace .*not found|NOT_FOUND.*namespace/i.test(message) && ctx) {
    io.err(`Error: ${message.split('\n')[0]}`);
    io.err(`  Namespace "${ctx.env.namespace}": set TEMPORAL_NAMESPACE or --namespace`);
    return 1;
  }
  io.err(`Error: ${message}`);
  return 1;
}
