// The worker's V8 heap limits are one fact: npm start and the Docker image start it with
// WORKER_NODE_OPTIONS (the benchmark's workers too), and the worker warns when started without a limit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { heapLimitGiven, WORKER_NODE_OPTIONS } from '../../workers/node-options';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('worker Node options', () => {
  it('the Docker image and npm start run the worker with WORKER_NODE_OPTIONS', () => {
    expect(read('Dockerfile')).toContain(`NODE_OPTIONS="${WORKER_NODE_OPTIONS}"`);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${WORKER_NODE_OPTIONS} bin/mimecast-crawler.js worker`);
  });

  it('caps the old space and the semi-spaces', () => {
    expect(WORKER_NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
    expect(WORKER_NODE_OPTIONS).toMatch(/--max-semi-space-size=\d+/);
  });

  it('sees a heap limit on the command line or in NODE_OPTIONS', () => {
    expect(heapLimitGiven([], undefined)).toBe(false);
    expect(heapLimitGiven([], '--max-semi-space-size=4')).toBe(false);
    expect(heapLimitGiven(['--max-old-space-size=512'], undefined)).toBe(true);
    expect(heapLimitGiven([], '--require x.js --max_old_space_size=256')).toBe(true);
  });
});
