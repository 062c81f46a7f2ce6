// The simulator in a child process, driven over its HTTP control surface (counters, mailboxes).
import type { SimulatorOptions } from '../simulator';
import { SimulatorControlClient } from '../client/simulator-control';
import { spawnTsx, type TsxChild } from './child-process';

export interface SimulatorProcess {
  url: string;
  control: SimulatorControlClient;
  child: TsxChild;
  close(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorOptions): Promise<SimulatorProcess> {
  const child = spawnTsx('bench/simulator-child.ts', {}, [JSON.stringify(options)]);
  const ready = await child.waitForLine((l) => l.ready === true, 60_000);
  const url = String(ready.url);
  return {
    url,
    control: new SimulatorControlClient(url),
    child,
    async close() {
      child.kill('SIGTERM');
      await child.exited;
    },
  };
}

/** The simulator's HTTP control call for operations SimulatorControlClient does not wrap. */
export async function simulatorControl<T>(url: string, op: string, body: object = {}): Promise<T> {
  const response = await fetch(`${url}/__control/${op}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = (await response.json()) as { ok?: boolean; result?: T; error?: string };
  if (!response.ok || !reply.ok)
    throw new Error(`simulator control ${op}: ${reply.error ?? response.status}`);
  return reply.result as T;
}
