// `mimecast-crawler simulator`: runs the simulator in the foreground and prints where it listens and
// which credentials to use; stops on SIGINT/SIGTERM.
import { startSimulator, DEFAULT_CREDENTIALS, type RunningSimulator } from './index';
import { PRESET_NAMES } from './presets';
import type { PresetName } from './types';
import { DEFAULT_SIMULATOR_PORT } from '../common/node/defaults';

export interface SimulatorCommandOptions {
  port?: number | string;
  /** Listen address; default $MIMECAST_SIMULATOR_HOST or 127.0.0.1 (use 0.0.0.0 in a container). */
  host?: string;
  preset?: string;
  faults?: string;
  seed?: number | string;
  hostile?: boolean;
  /** Resolves when the simulator should stop (default: SIGINT/SIGTERM). For tests. */
  until?: Promise<void>;
  out?: (line: string) => void;
}

export async function runSimulatorCommand(opts: SimulatorCommandOptions = {}): Promise<RunningSimulator> {
  const out = opts.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const preset = (opts.preset ?? 'demo') as PresetName;
  if (!PRESET_NAMES.includes(preset))
    throw new Error(`unknown preset ${preset} (one of ${PRESET_NAMES.join(', ')})`);
  const port = opts.port === undefined ? DEFAULT_SIMULATOR_PORT : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid port ${String(opts.port)}`);
  const started = Date.now();
  const sim = await startSimulator({
    port,
    host: opts.host ?? process.env.MIMECAST_SIMULATOR_HOST ?? '127.0.0.1',
    preset,
    seed: opts.seed === undefined ? 1 : Number(opts.seed),
    faults: opts.faults,
    hostile: opts.hostile,
  });
  const [cred] = DEFAULT_CREDENTIALS;
  out(
    `Mimecast API 2.0 simulator listening on ${sim.url} (preset ${preset}, started in ${Date.now() - started} ms)`,
  );
  out(`  token:         POST ${sim.url}/oauth/token  (form: grant_type=client_credentials)`);
  out(`  client_id:     ${cred.clientId}`);
  out(`  client_secret: ${cred.clientSecret}`);
  out(`  foreign host:  ${sim.foreignUrl}  (download links with linkOrigin=foreign)`);
  out(`  control:       POST ${sim.url}/__control/{add-messages,counters,set-faults,set-switches,...}`);
  out(`  mailboxes:     ${sim.control.mailboxes().length}`);
  if (opts.faults) out(`  faults:        ${opts.faults}`);
  const until =
    opts.until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  await until;
  await sim.close();
  out('simulator stopped');
  return sim;
}
