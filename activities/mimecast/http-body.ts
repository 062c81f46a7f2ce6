// Reading HTTP bodies within limits: downloads are streamed and cut off past maxBytes (a typed
// OversizeError), JSON bodies are capped too so a broken server cannot exhaust memory.
import type { Dispatcher } from 'undici';
import { OversizeError } from './errors';

export type ResponseHeaders = Dispatcher.ResponseData['headers'];
type Body = Dispatcher.ResponseData['body'];

/** Cap of a JSON response (list pages are ~100 KB; anything near this is broken). */
export const JSON_BODY_LIMIT = 32 * 1024 * 1024;

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function numericHeader(headers: ResponseHeaders, name: string): number | undefined {
  const v = header(headers, name);
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function isJsonContentType(headers: ResponseHeaders): boolean {
  return /\bjson\b/i.test(header(headers, 'content-type') ?? '');
}

/** Aborts a body we will not read; the abort's own error event is expected and ignored. */
function abort(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

export async function readCapped(
  body: Body,
  headers: ResponseHeaders,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  const declared = numericHeader(headers, 'content-length');
  if (declared !== undefined && declared > maxBytes) {
    abort(body);
    throw new OversizeError(maxBytes, declared, what);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) {
      abort(body);
      throw new OversizeError(maxBytes, total, what);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Reads a body as text within JSON_BODY_LIMIT; an oversize JSON body is treated as malformed. */
export async function readText(body: Body): Promise<string> {
  try {
    return (await readCapped(body, {}, JSON_BODY_LIMIT, 'JSON response')).toString('utf8');
  } catch (err) {
    if (err instanceof OversizeError) return '';
    throw err;
  }
}

/** Parses a body as JSON, or returns undefined (empty or not JSON: 400s can have empty bodies). */
export async function readJsonLenient(body: Body): Promise<unknown> {
  const text = await readText(body).catch(() => '');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 500);
  }
}

export async function discard(body: Body): Promise<void> {
  await body.dump().catch(() => undefined);
}
