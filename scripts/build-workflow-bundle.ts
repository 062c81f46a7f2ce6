// Pre-builds the workflow bundle (`npm run build:workflows`): a worker started with
// WORKFLOW_BUNDLE_PATH loads it instead of running webpack at start-up, which saves start time and
// about 150 MB of worker memory (BENCHMARKS.md).
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_WORKFLOWS_PATH } from '../workers/main';

async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const bundle = await bundleWorkflowCode({ workflowsPath: DEFAULT_WORKFLOWS_PATH });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bundle.code);
  console.log(`workflow bundle written to ${target} (start workers with WORKFLOW_BUNDLE_PATH=${target})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
