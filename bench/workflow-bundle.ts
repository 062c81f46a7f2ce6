// The prebuilt workflow bundle of the benchmark's worker processes (workers/workflow-bundle.ts).
import { resolve } from 'node:path';
import { writeWorkflowBundle } from '../workers/workflow-bundle';
import { REPO_ROOT } from './child-process';

export const BUNDLE_PATH = resolve(REPO_ROOT, '.data/bench/workflow-bundle.js');

export function buildWorkflowBundle(): Promise<string> {
  return writeWorkflowBundle(BUNDLE_PATH);
}
