// Private Temporal and Elasticsearch servers of one fault file, driven through the provisioning
// scripts like test/helpers/servers.ts, but with start-up budgets for a loaded 2-core machine and a
// kill that works even when a start timed out (the pid file in the data folder still names the node).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PrivateServer } from './servers';

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../../scripts');

/** Elasticsearch needs 30–60 s on an idle 2-core machine and several minutes on a busy one. */
const START_BUDGET_S = { 'temporal.sh': 240, 'elasticsearch.sh': 600 } as const;
type Script = keyof typeof START_BUDGET_S;

async function script(name: Script, verb: string, args: string[], timeoutS: number): Promise<string> {
  try {
    const { stdout } = await run(
      'bash',
      [path.join(SCRIPTS, name), verb, ...args, ...(verb === 'start' ? ['--timeout', String(timeoutS)] : [])],
      {
        timeout: (timeoutS + 30) * 1000,
        maxBuffer: 16 << 20,
      },
    );
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/${name} ${verb} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export interface FaultServer extends PrivateServer {
  /** Whether start() has succeeded at least once. */
  readonly started: boolean;
  start(): Promise<void>;
}

function faultServer(name: Script, args: string[], address: string): FaultServer {
  let started = false;
  const start = async () => {
    await script(name, 'start', args, START_BUDGET_S[name]);
    started = true;
  };
  return {
    address,
    get started() {
      return started;
    },
    start,
    restart: start,
    stop: async () => void (await script(name, 'stop', args, 120)),
    kill: async () => void (await script(name, 'kill', args, 60)),
  };
}

export function privateTemporal(o: { port: number; uiPort: number; dataDir: string }): FaultServer {
  const args = [
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--data',
    o.dataDir,
    '--name',
    `private-${o.port}`,
  ];
  return faultServer('temporal.sh', args, `127.0.0.1:${o.port}`);
}

export function privateElasticsearch(o: {
  port: number;
  transportPort: number;
  dataDir: string;
}): FaultServer {
  const args = [
    '--port',
    String(o.port),
    '--transport-port',
    String(o.transportPort),
    '--data',
    o.dataDir,
    '--name',
    `private-${o.port}`,
  ];
  return faultServer('elasticsearch.sh', args, `http://127.0.0.1:${o.port}`);
}
