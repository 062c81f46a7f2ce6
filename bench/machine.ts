// The machine a benchmark ran on: cores, memory, CPU model and the versions that matter.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  elasticsearch: string;
  temporalServer: string;
  temporalSdk: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

export async function machineInfo(es: ElasticClient, temporal: TemporalClient): Promise<MachineInfo> {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // Not Linux: the model stays unknown.
  }
  // GET / answers 405 on the integ-test distribution: read the version from the local node instead.
  const nodes = await es.nodes.info({ node_id: '_local', filter_path: 'nodes.*.version' });
  const esVersion = Object.values(nodes.nodes ?? {})[0]?.version ?? 'unknown';
  const system = await temporal.workflowService.getSystemInfo({}).catch(() => undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = (require('@temporalio/client/package.json') as { version: string }).version;
  return {
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu,
    node: process.version,
    elasticsearch: esVersion,
    temporalServer: system?.serverVersion ?? 'unknown',
    temporalSdk: sdk,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}
