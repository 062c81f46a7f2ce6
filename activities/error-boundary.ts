// The one error boundary of the activities: whatever an activity throws leaves it as the typed
// ApplicationFailure of its kind (docs/architecture.md, Error scopes), so activity code throws the
// taxonomy's classes (or anything, classified by its shape) and never converts errors itself.
import { toApplicationFailure } from '../common/node/errors';

type AnyActivity = (input: never) => Promise<unknown>;

/** Wraps every activity of `activities` so that a rejection becomes `toApplicationFailure(err)`. */
export function withErrorBoundary<T extends Record<string, AnyActivity>>(activities: T): T {
  const bounded: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    const fn = activity as (input: unknown) => Promise<unknown>;
    bounded[name] = async (input: never) => {
      try {
        return await fn(input);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
  }
  return bounded as T;
}
