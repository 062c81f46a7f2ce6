// How transport failures read: network errors as source or transient errors, and a body's fail[] details.
import { classifyError } from '../../common/node/errors';
import { SourceError, TransientError } from './errors';
import { failDetails } from './responses';

/** Network failures: DNS/TLS are source errors at once, the rest are retried by the caller. */
export function networkError(err: unknown, origin: string): Error {
  const c = classifyError(err);
  const code = (err as { code?: string })?.code;
  const text = `${c.message}${code && !c.message.includes(code) ? ` (${code})` : ''}`;
  if (c.kind === 'source') return new SourceError(`cannot reach ${origin}: ${text}`);
  return new TransientError(`network error talking to ${origin}: ${text}`);
}

/** The codes and a readable text of a response's fail[] details. */
export function describeDetails(body: unknown): { codes: string[]; text: string } {
  const details = failDetails(body);
  return {
    codes: details.map((d) => d.code),
    text: details.map((d) => `${d.code}: ${d.message}`).join('; '),
  };
}
