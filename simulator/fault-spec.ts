// Fault injection settings and the CLI string form, e.g. "429=0.3,5xx=0.05,latency=100,expire=5".
import type { FaultSpec, SimulatorSwitches } from './types';

export const DEFAULT_FAULTS: FaultSpec = {
  rate429: 0,
  rate5xx: 0,
  latencyMs: 0,
  tokenExpireSeconds: null,
  failIds: [],
  malformedJsonRate: 0,
  slowDownloadMs: 0,
  slowShare: 0,
  oddRecordShare: 0,
  retryAfterHeader: false,
  rateLimit: null,
};

export const DEFAULT_SWITCHES: SimulatorSwitches = {
  listOrder: 'newest-first',
  pageTokenBinding: true,
  pageTokenTtlSeconds: null,
  lastPage: 'no-next',
  download: 'bytes',
  linkOrigin: 'same',
  unauthorizedBody: 'nested',
  appForbidden: '403',
  listToShape: 'object',
  rfc822Refused: false,
  pageSizeCap: 500,
  totalCount: true,
  forbiddenEndpoints: [],
  roleMissingEndpoints: [],
};

/**
 * Keys: 429=<rate> 5xx=<rate> latency=<ms> expire=<s> malformed=<rate> slow=<ms> slow-share=<share>
 * odd=<share> retry-after[=true|false] rate-limit=<limit>/<windowMs> quota=<calls per second> fail=<id>|<id>...
 */
// The FaultSpec field names are accepted too (rate429=0.1,latencyMs=50).
const ALIASES: Record<string, string> = {
  rate429: '429',
  rate5xx: '5xx',
  latencyms: 'latency',
  tokenexpireseconds: 'expire',
  malformedjsonrate: 'malformed',
  slowdownloadms: 'slow',
  slowshare: 'slow-share',
  oddrecordshare: 'odd',
  retryafterheader: 'retry-after',
  ratelimit: 'rate-limit',
  failids: 'fail',
};

export function parseFaultSpec(spec: string): Partial<FaultSpec> {
  const out: Partial<FaultSpec> = {};
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = raw.indexOf('=');
    const key = (eq < 0 ? raw : raw.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : raw.slice(eq + 1).trim();
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`fault ${key}: not a number: ${value}`);
      return n;
    };
    switch (ALIASES[key] ?? key) {
      case '429':
        out.rate429 = num();
        break;
      case '5xx':
        out.rate5xx = num();
        break;
      case 'latency':
        out.latencyMs = num();
        break;
      case 'expire':
        out.tokenExpireSeconds = num();
        break;
      case 'malformed':
        out.malformedJsonRate = num();
        break;
      case 'slow':
        out.slowDownloadMs = num();
        break;
      case 'slow-share':
        out.slowShare = num();
        break;
      case 'odd':
        out.oddRecordShare = num();
        break;
      case 'retry-after':
        out.retryAfterHeader = value === '' || value === 'true' || value === '1';
        break;
      case 'rate-limit': {
        const [limit, windowMs] = value.split('/').map(Number);
        if (!(limit > 0) || !(windowMs > 0))
          throw new Error(`fault rate-limit: expected <limit>/<windowMs>, got ${value}`);
        out.rateLimit = { limit, windowMs };
        break;
      }
      case 'quota': {
        // The per-app quota: Q calls per second, a bucket of Q shared by every client of the app.
        const perSecond = num();
        if (!(perSecond > 0)) throw new Error(`fault quota: expected calls per second > 0, got ${value}`);
        out.rateLimit = { limit: perSecond, windowMs: 1000 };
        break;
      }
      case 'fail':
        out.failIds = value.split('|').filter(Boolean);
        break;
      default:
        throw new Error(
          `unknown fault "${key}" (known: 429, 5xx, latency, expire, malformed, slow, slow-share, odd, retry-after, rate-limit, quota, fail)`,
        );
    }
  }
  return out;
}
