// Temporal's remote codec protocol over HTTP, so the Web UI (and `temporal workflow show
// --codec-endpoint`) show decoded payloads: POST /encode and /decode with {payloads: [...]} as
// protobuf JSON (metadata values and data in base64). CORS admits the Web UI's origins only,
// with credentials; an optional bearer token gates every POST (a browser's preflight carries none).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins allowed by CORS, e.g. http://127.0.0.1:8233 (the Web UI). */
  allowedOrigins: string[];
  /** When set, POSTs need `Authorization: Bearer <token>`. */
  token?: string;
  /** When set, a request whose X-Namespace names another namespace is refused. */
  namespace?: string;
}

/** The largest request body accepted (the Web UI sends one event's payloads at a time). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(p.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(p.metadata ?? {})) {
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  }
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createCodecServer(options: CodecServerOptions): Server {
  const origins = new Set(options.allowedOrigins.map((o) => o.replace(/\/+$/, '')));

  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Vary', 'Origin');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    cors(req, res);
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      res.writeHead(req.headers.origin && origins.has(req.headers.origin) ? 204 : 403).end();
      return;
    }
    if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) {
      throw new HttpError(404, 'POST /encode or /decode');
    }
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'a bearer token is required (Authorization: Bearer …)');
    }
    const namespace = req.headers['x-namespace'];
    if (options.namespace && namespace && namespace !== options.namespace) {
      throw new HttpError(403, `this codec server serves namespace "${options.namespace}"`);
    }
    let body: { payloads?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'the body must be JSON: {"payloads": [...]}');
    }
    if (!Array.isArray(body?.payloads)) throw new HttpError(400, 'the body must be {"payloads": [...]}');
    const payloads = (body.payloads as JsonPayload[]).map(fromJson);
    let result: Payload[];
    try {
      result =
        path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
    } catch (err) {
      throw new HttpError(422, (err as Error).message);
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ payloads: result.map(toJson) }));
  };

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: status === 500 ? 'internal error' : (err as Error).message }));
    });
  });
}

/** Listens and resolves with the bound port (0 picks a free one). */
export async function listenCodecServer(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
