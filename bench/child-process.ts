// Child processes of the benchmark and the fault suite: a TypeScript entry run under tsx, a wait
// for its "ready" JSON line, its log kept in memory (for secret scans), and RSS sampling from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');

export interface TsxChild {
  process: ChildProcess;
  pid: number;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first stdout JSON line for which `match` is true. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs `node --import tsx <script>` from the repository root with the given environment additions. */
export function spawnTsx(script: string, env: Record<string, string>, args: string[] = []): TsxChild {
  return spawnNode(['--import', 'tsx', resolve(REPO_ROOT, script), ...args], env);
}

/** Runs `node <args>` (e.g. a compiled `.js` entry) from the repository root. */
export function spawnNode(nodeArgs: string[], env: Record<string, string>): TsxChild {
  const script = nodeArgs.find((a) => /\.(ts|js)$/.test(a)) ?? nodeArgs.join(' ');
  const child = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const s = chunk.toString('utf8');
    text += s;
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const w of [...waiters]) {
        if (w.match(parsed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? -1));
  });
  return {
    process: child,
    pid: child.pid!,
    output: () => text,
    waitForLine(match, timeoutMs) {
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${script}: no matching line within ${timeoutMs} ms\n${text.slice(-3000)}`)),
          timeoutMs,
        );
        const w = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            resolveLine(l);
          },
        };
        waiters.push(w);
        void exited.then((code) => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            reject(new Error(`${script} exited (${code}) before it was ready\n${text.slice(-3000)}`));
          }
        });
      });
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Resident set size (current and peak, bytes) of a process, from /proc/<pid>/status (Linux). */
export function readRss(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` while a crawl runs; VmHWM also covers its start-up. */
export function sampleRss(
  pid: number,
  intervalMs = 250,
): { stop(): { peakBytes: number; lifetimePeakBytes: number; samples: number } } {
  let peak = 0;
  let lifetimePeak = 0;
  let samples = 0;
  const take = () => {
    const r = readRss(pid);
    if (!r) return;
    samples += 1;
    peak = Math.max(peak, r.rss);
    lifetimePeak = Math.max(lifetimePeak, r.peak);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { peakBytes: peak, lifetimePeakBytes: lifetimePeak, samples };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 if unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux the project targets. */
const CLOCK_TICKS = 100;

/** The pid listening on a local TCP port (from `ss`), to account a server's CPU; undefined if not found. */
export function pidOfPort(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds of named processes between start() and stop(): where a run's time went. */
export function cpuMeter(pids: Record<string, number | undefined>): { stop(): Record<string, number> } {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : 0]));
  return {
    stop() {
      return Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [
          k,
          pid ? Math.round((cpuSeconds(pid) - start[k]!) * 10) / 10 : 0,
        ]),
      );
    },
  };
}
