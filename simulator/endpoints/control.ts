// The /__control/<op> surface: tests, the demo and the benchmark drive and inspect a running simulator
// over HTTP (add or delete messages, change switches and faults, read counters). The operations
// themselves live in simulator/index.ts; this only parses the body and answers {ok, result | error}.
import type http from 'node:http';
import { readBody } from './envelope';

export async function handleControl(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  op: string,
  control: (op: string, body: unknown) => Promise<unknown>,
): Promise<void> {
  const raw = await readBody(req);
  let body: unknown = {};
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'body is not JSON' }));
    return;
  }
  try {
    const result = await control(op, body);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: true, result: result ?? null }));
  } catch (err) {
    res.writeHead((err as { status?: number }).status ?? 400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: (err as Error).message }));
  }
}
