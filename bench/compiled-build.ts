// The crawler compiled with tsc, as production runs it (`npm run build`, then plain node): the
// benchmark's worker processes run this build, so their memory is the shipped program's. Under tsx
// every module (pdf.js in each extraction thread included) is transpiled in memory at load, which
// costs hundreds of MB that production never pays (BENCHMARKS.md, Memory).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from './child-process';

export const COMPILED_DIR = resolve(REPO_ROOT, '.data/bench/dist');

export function compileForBench(): string {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', COMPILED_DIR],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  return COMPILED_DIR;
}
