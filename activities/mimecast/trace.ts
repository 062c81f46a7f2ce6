// API tracing at settings.logging.traceLevel: None; Calls (method, URL, status, ms); All (plus JSON
// bodies cut at ~2 KB, never download bodies). Secrets are redacted here, at the source: the
// Authorization header is never logged, secret-named keys are masked, pre-signed query strings
// dropped, and any known secret or token value is scrubbed from whatever text remains.
import type { Logger } from '../ports';

export type TraceLevel = 'None' | 'Calls' | 'All';

export const REDACTED = '[REDACTED]';
const BODY_LIMIT = 2048;
const SECRET_KEYS =
  /^(access_token|refresh_token|client_secret|client_id|authorization|password|secret|token)$/i;

/** Drops the query string of a URL (pre-signed links carry their signature there). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?${REDACTED}`;
}

/** A download link is a bearer credential of its own (path or query): only its origin is logged. */
export function redactLink(url: string): string {
  const m = /^(https?:\/\/[^/?#]+)/i.exec(url);
  return m ? `${m[1]}/${REDACTED}` : REDACTED;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? REDACTED : redactValue(v);
    return out;
  }
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) return redactLink(value);
  return value;
}

export interface TraceRecord {
  method: string;
  url: string;
  endpoint: string;
  status: number | 'error';
  ms: number;
  /** JSON only; the token request's form body is never passed here. */
  requestBody?: unknown;
  /** JSON only; download bodies are never passed here. */
  responseBody?: unknown;
  note?: string;
}

export class ApiTracer {
  constructor(
    private readonly logger: Logger,
    private readonly level: TraceLevel,
    /** Values that must never appear in a log line (client secret, live tokens). */
    private readonly secrets: () => string[],
  ) {}

  get enabled(): boolean {
    return this.level !== 'None';
  }

  call(r: TraceRecord): void {
    if (this.level === 'None') return;
    const line: Record<string, unknown> = {
      method: r.method,
      url: this.scrub(r.endpoint === 'link' ? redactLink(r.url) : redactUrl(r.url)),
      endpoint: r.endpoint,
      status: r.status,
      ms: Math.round(r.ms),
    };
    if (r.note) line.note = this.scrub(r.note);
    if (this.level === 'All') {
      if (r.requestBody !== undefined) line.request = this.body(r.requestBody);
      if (r.responseBody !== undefined) line.response = this.body(r.responseBody);
    }
    this.logger.info({ mimecastTrace: line }, 'mimecast api call');
  }

  private body(value: unknown): string {
    const text = this.scrub(JSON.stringify(redactValue(value)) ?? '');
    return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…(${text.length} chars)` : text;
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets()) {
      // Short values could mask innocent text and are not secrets worth the name.
      if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}
