// Faults and switches applied to an authenticated /api/... call before it reaches its endpoint: random
// 429s and 5xx answers (each 5xx in the shape a real gateway gives it), a role without the permission
// (403) and an endpoint outside the app's products (`app_forbidden`, as 403 or in fail[] at 200).
import type { RateDecision } from '../rate-limiter';
import type { SimContext } from './context';
import { errorReply, fail, fail200, envelope, type Reply } from './envelope';

export type InjectedFault = { throttle: RateDecision } | { reply: Reply } | null;

/** Draws from the fault stream in a fixed order (429, then 5xx), so a seed always injects the same faults. */
export function injectedFault(ctx: SimContext, path: string, decision: RateDecision): InjectedFault {
  const { faults, switches: sw } = ctx.deps;
  const random = ctx.faultRandom;
  if (faults.rate429 > 0 && random.chance(faults.rate429))
    return { throttle: { ...decision, resetMs: Math.max(decision.resetMs, 200 + random.int(800)) } };
  if (faults.rate5xx > 0 && random.chance(faults.rate5xx))
    return { reply: serverError([500, 502, 503, 504][random.int(4)]) };
  if (sw.roleMissingEndpoints.includes(path))
    return {
      reply: errorReply(
        403,
        'err_xdk_operation_forbidden',
        'Forbidden: the role lacks the permission for this operation',
      ),
    };
  if (sw.forbiddenEndpoints.includes(path)) {
    const item = fail(
      {},
      'app_forbidden',
      'Resource or method requested does not exist in any product assigned to the application.',
    );
    return {
      reply:
        sw.appForbidden === '403'
          ? { kind: 'json', status: 403, body: envelope([], [item], undefined, 403) }
          : fail200(item),
    };
  }
  return null;
}

function serverError(status: number): Reply {
  if (status === 500) return errorReply(500, 'err_internal_server_error', 'Internal server error', true);
  if (status === 502)
    return {
      kind: 'text',
      status,
      text: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      contentType: 'text/html',
    };
  if (status === 503) return { kind: 'empty', status };
  return { kind: 'text', status, text: 'upstream request timeout', contentType: 'text/plain' };
}

/** The malformed-JSON fault: draws from the fault stream only when it is on. */
export function malformedDraw(ctx: SimContext): boolean {
  const rate = ctx.deps.faults.malformedJsonRate;
  return rate > 0 && ctx.faultRandom.chance(rate);
}
