// Helpers of the CLI end-to-end tests: run the CLI in-process (captured output, short polling) or
// as a real process through bin/mimecast-crawler.js, and write source configuration files.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../client/cli';
import { bufferIo } from '../../client/cli-io';
import { createCliContext } from '../../client/cli-context';
import { readEnvironment, withOverrides } from '../../client/environment';

const ROOT = join(__dirname, '..', '..');

export interface CliRun {
  code: number;
  text: string;
  lines: string[];
}

export async function runCliInProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const io = bufferIo();
  const code = await runCli(argv, {
    io,
    context: (cliIo, overrides) =>
      createCliContext(withOverrides(readEnvironment({ ...process.env, ...env }), overrides), cliIo, {
        pollIntervalMs: 250,
      }),
  });
  return { code, text: io.text(), lines: [...io.lines, ...io.errors] };
}

export function spawnCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliRun & { stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'mimecast-crawler.js'), ...argv], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${argv.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = `${stdout}\n${stderr}`;
      resolve({ code: code ?? -1, stdout, stderr, text, lines: text.split('\n') });
    });
  });
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

export function writeConfig(dir: string, name: string, settings: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(settings, null, 2));
  return path;
}

export function uniqueId(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
