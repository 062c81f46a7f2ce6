// A prebuilt workflow bundle for the benchmark's worker processes (Temporal's recommended production
// setup): bundling with webpack inside the worker costs ~300 MB of RSS that the process never returns.
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_WORKFLOWS_PATH } from '../workers/main';
import { REPO_ROOT } from './child-process';

export const BUNDLE_PATH = resolve(REPO_ROOT, '.data/bench/workflow-bundle.js');

export async function buildWorkflowBundle(): Promise<string> {
  const bundle = await bundleWorkflowCode({ workflowsPath: DEFAULT_WORKFLOWS_PATH });
  mkdirSync(resolve(BUNDLE_PATH, '..'), { recursive: true });
  writeFileSync(BUNDLE_PATH, bundle.code);
  return BUNDLE_PATH;
}
