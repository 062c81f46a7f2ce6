// End-to-end smoke test of the real components: a worker on the real Temporal dev server runs a
// workflow whose activity writes into the real Elasticsearch, found again by a visibility query.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { elasticClient, connectTemporal } from '../helpers/servers';
import type { SmokeActivities } from './smoke-workflows';
import { smokeWorkflow } from './smoke-workflows';

jest.setTimeout(120_000);

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('smoke: real Temporal and real Elasticsearch', () => {
  let env: TestWorkflowEnvironment;
  let es: ElasticClient;
  const runId = randomUUID().slice(0, 8);
  const index = `smoke-${runId}`;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Another test file in this jest worker installed it already.
    }
    env = await connectTemporal();
    es = elasticClient();
  });

  afterAll(async () => {
    await es?.indices.delete({ index, ignore_unavailable: true });
    await es?.close();
    await env?.teardown();
  });

  test('a workflow activity writes a document to Elasticsearch and the workflow is found by MimecastSource', async () => {
    const taskQueue = `smoke-${runId}`;
    const source = `smoke-source-${runId}`;
    const activities: SmokeActivities = {
      async writeSmokeDocument({ index: target, id, source: src, workflowId }) {
        const response = await es.index({
          index: target,
          id,
          document: { source: src, workflowId, writtenAt: new Date().toISOString() },
        });
        return { result: response.result };
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowsPath: require.resolve('./smoke-workflows'),
      activities,
    });

    const workflowId = `smoke:${runId}`;
    const result = await worker.runUntil(
      env.client.workflow.execute(smokeWorkflow, {
        taskQueue,
        workflowId,
        args: [{ index, id: 'doc-1', source }],
      }),
    );
    expect(result).toEqual({ result: 'created' });

    await es.indices.refresh({ index });
    const doc = await es.get<{ source: string; workflowId: string }>({ index, id: 'doc-1' });
    expect(doc._source).toMatchObject({ source, workflowId });

    // Visibility is eventually consistent: poll the list query until the execution shows up.
    const found = await eventually(
      async () => {
        for await (const execution of env.client.workflow.list({ query: `MimecastSource = '${source}'` })) {
          return execution;
        }
        return undefined;
      },
      30_000,
      `a visibility record with MimecastSource = '${source}'`,
    );
    expect(found.workflowId).toBe(workflowId);
    expect(found.status.name).toBe('COMPLETED');
  });
});
