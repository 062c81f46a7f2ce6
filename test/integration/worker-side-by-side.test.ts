// Two worker processes on one host with the default metrics ports (METRICS_PORT 9464, the SDK's
// exporter on 9465): the second finds them taken, serves on free ports and logs which, instead
// of exiting. Both stay up and each /metrics serves the crawl counters and the SDK's metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_METRICS_PORT } from '../../common/node/defaults';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';

jest.setTimeout(240_000);

const id = randomBytes(3).toString('hex');
const ROOT = join(__dirname, '..', '..');
const children: ChildProcess[] = [];
let bundlePath: string;

interface LogLine {
  level: number;
  msg: string;
  metricsPort?: number;
  sdkMetricsPort?: number;
}

interface StartedWorker {
  child: ChildProcess;
  lines: LogLine[];
  ready: LogLine;
}

/** Starts `mimecast-crawler worker` with the defaults (only its queue and prefix are its own). */
async function startWorker(): Promise<StartedWorker> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_TASK_QUEUE: `tq-side-${id}`,
    INDEX_PREFIXES: `t-side-${id}`,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    SHUTDOWN_GRACE_SECONDS: '5',
    LOG_LEVEL: 'info',
  };
  delete env.METRICS_PORT;
  delete env.SDK_METRICS_PORT;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mimecast-crawler.js'), 'worker'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = lines.find((line) => line.msg === 'worker ready');
    if (ready) return { child, lines, ready };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`worker did not become ready (exit ${child.exitCode}):\n${output}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  bundlePath = await writeWorkflowBundle(join(mkdtempSync(join(tmpdir(), 'side-by-side-')), 'bundle.js'));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  await sleep(500);
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

it('a second worker on the host takes free metrics ports, logs which, and both serve /metrics', async () => {
  const first = await startWorker();
  const second = await startWorker();
  // Both still running a moment later (before the fix, the second exited on the taken port).
  await sleep(1_000);
  expect([first.child.exitCode, second.child.exitCode]).toEqual([null, null]);

  const firstPort = first.ready.metricsPort!;
  const secondPort = second.ready.metricsPort!;
  expect(secondPort).not.toBe(firstPort);
  // The first normally has the default; a port already busy on this host moves it too.
  const defaultTaken = firstPort !== DEFAULT_METRICS_PORT;
  const moved = second.lines.filter((line) => line.level === 40).map((line) => line.msg);
  expect(moved).toEqual(
    expect.arrayContaining([
      `metrics port ${DEFAULT_METRICS_PORT} is taken (another worker on this host?): serving /metrics on ${secondPort}`,
      expect.stringMatching(
        new RegExp(`^SDK metrics port ${DEFAULT_METRICS_PORT + 1} is taken .*: the SDK exporter uses \\d+$`),
      ),
    ]),
  );
  const firstMoved = first.lines.filter((line) => line.level === 40 && / port .* is taken/.test(line.msg));
  if (!defaultTaken) expect(firstMoved).toEqual([]);

  for (const port of [firstPort, secondPort]) {
    let text = '';
    const deadline = Date.now() + 30_000;
    while (!/^temporal_\w+/m.test(text) && Date.now() < deadline) {
      await sleep(500);
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
    }
    expect(text).toContain('# HELP mimecast_api_calls_total');
    expect(text).toMatch(/^temporal_\w+/m);
  }

  const exits = [first, second].map(
    ({ child }) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
  );
  first.child.kill('SIGTERM');
  second.child.kill('SIGTERM');
  expect(await Promise.all(exits)).toEqual([0, 0]);
});
