// Mimecast's JSON envelope and the simulator's reply values: `{meta: {status, pagination}, data, fail}`,
// fail items with their error codes, and reading a request body within a limit.
import type http from 'node:http';

export interface FailItem {
  key: unknown;
  errors: { code: string; message: string; retryable: boolean; field?: string }[];
}

/** What an endpoint answers; the server writes it (reply-writer.ts). */
export type Reply =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'empty'; status: number }
  | {
      kind: 'bytes';
      status: number;
      bytes: Buffer;
      contentType: string;
      filename: string | null;
      /** Trickles out over faults.slowDownloadMs (default: whenever that is set). */
      trickle?: boolean;
    }
  | { kind: 'text'; status: number; text: string; contentType: string };

export type BytesReply = Extract<Reply, { kind: 'bytes' }>;

/** `meta.pagination` of a request. */
export interface PaginationRequest {
  pageSize?: unknown;
  pageToken?: unknown;
}

export interface ApiRequestBody {
  meta?: { pagination?: PaginationRequest };
  data?: unknown;
}

export function fail(
  key: unknown,
  code: string,
  message: string,
  field?: string,
  retryable = false,
): FailItem {
  return { key, errors: [{ code, message, retryable, ...(field ? { field } : {}) }] };
}

export function envelope(
  data: unknown[],
  failures: FailItem[] = [],
  pagination?: Record<string, unknown>,
  status = 200,
) {
  return { meta: { status, ...(pagination ? { pagination } : {}) }, data, fail: failures };
}

export const ok = (data: unknown[], pagination?: Record<string, unknown>): Reply => ({
  kind: 'json',
  status: 200,
  body: envelope(data, [], pagination),
});

/** A function-level error: HTTP 200 with the failures in `fail[]`. */
export const fail200 = (f: FailItem | FailItem[]): Reply => ({
  kind: 'json',
  status: 200,
  body: envelope([], Array.isArray(f) ? f : [f]),
});

/** An HTTP error with one fail item in the envelope. */
export function errorReply(status: number, code: string, message: string, retryable = false): Reply {
  return {
    kind: 'json',
    status,
    body: envelope([], [fail({}, code, message, undefined, retryable)], undefined, status),
  };
}

const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
