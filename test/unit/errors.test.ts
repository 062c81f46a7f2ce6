// The error taxonomy (docs/architecture.md, Error scopes): each kind is recognised and mapped to its one
// action.
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../../common/contracts';
import {
  classifyError,
  MailboxError,
  OversizeError,
  SourceError,
  ThrottledError,
  toApplicationFailure,
  TransientError,
} from '../../common/node/errors';
import { forbiddenError, MimecastFunctionError, MimecastHttpError } from '../../activities/mimecast/errors';

describe('classifyError', () => {
  it('keeps the kind of the crawler errors', () => {
    expect(classifyError(new SourceError('no role'))).toMatchObject({ kind: 'source', retryable: false });
    expect(classifyError(new ThrottledError('slow down', 5000))).toMatchObject({
      kind: 'throttled',
      nextRetryDelayMs: 5000,
    });
    expect(classifyError(new TransientError('blip'))).toMatchObject({ kind: 'transient', retryable: true });
    expect(classifyError(new MailboxError('budget'))).toMatchObject({ kind: 'mailbox', retryable: false });
    expect(classifyError(new OversizeError(10, 11, 'message m1'))).toMatchObject({
      kind: 'item',
      retryable: false,
    });
  });

  it('treats a fail[] as an item error unless every error says retryable', () => {
    const bad = new MimecastFunctionError('/api/archive/get-message-detail', 200, [
      { code: 'err_validation_null', message: 'id', retryable: false },
    ]);
    expect(classifyError(bad).kind).toBe('item');
    expect(bad.codes).toEqual(['err_validation_null']);
    const soft = new MimecastFunctionError('/api/x', 200, [
      { code: 'err_busy', message: 'later', retryable: true },
    ]);
    expect(classifyError(soft).kind).toBe('transient');
  });

  it('treats HTTP 5xx as transient and other 4xx as item errors', () => {
    expect(classifyError(new MimecastHttpError('/api/x', 503, '')).kind).toBe('transient');
    expect(classifyError(new MimecastHttpError('/api/x', 400, '')).kind).toBe('item');
  });

  it('names the missing role or product of a refused call', () => {
    expect(forbiddenError('/api/archive/get-message-list', 403, [], '').message).toMatch(
      /Archive › Search › Read/,
    );
    expect(forbiddenError('/api/user/get-internal-users', 403, [], '').message).toMatch(
      /Directories › Internal › Read/,
    );
    expect(forbiddenError('/api/archive/get-file', 403, ['app_forbidden'], '').message).toMatch(
      /no Product .*app_forbidden/,
    );
    expect(classifyError(forbiddenError('/api/x', 403, [], '')).kind).toBe('source');
  });

  it('treats DNS and TLS failures as source errors, and socket drops as transient', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND' });
    const tls = new Error('fetch failed', {
      cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyError(dns).kind).toBe('source');
    expect(classifyError(tls).kind).toBe('source');
    expect(classifyError(reset).kind).toBe('transient');
  });

  it('recognises Elasticsearch errors by shape', () => {
    const readOnly = {
      name: 'ResponseError',
      meta: {
        statusCode: 403,
        body: { error: { type: 'cluster_block_exception', reason: 'index read-only' } },
      },
    };
    const busy = {
      name: 'ResponseError',
      meta: { statusCode: 429, body: { error: { type: 'es_rejected_execution_exception' } } },
    };
    expect(classifyError(readOnly)).toMatchObject({ kind: 'source' });
    expect(classifyError(busy)).toMatchObject({ kind: 'transient' });
    expect(classifyError({ name: 'ConnectionError', message: 'refused' })).toMatchObject({
      kind: 'transient',
    });
  });

  it('reads the kind back from an ApplicationFailure type', () => {
    const f = ApplicationFailure.create({ type: FailureTypes.mailbox, message: 'x', nonRetryable: true });
    expect(classifyError(f).kind).toBe('mailbox');
  });

  it('classifies unknown errors as transient (Temporal retries them)', () => {
    expect(classifyError(new TypeError('oops'))).toMatchObject({ kind: 'transient', retryable: true });
  });
});

describe('toApplicationFailure', () => {
  it('makes source errors non-retryable of type SourceError', () => {
    const f = toApplicationFailure(new SourceError('role missing'));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f).toMatchObject({ type: FailureTypes.source, nonRetryable: true, message: 'role missing' });
  });

  it('carries nextRetryDelay for throttling', () => {
    const f = toApplicationFailure(new ThrottledError('429', 90_000));
    expect(f.type).toBe(FailureTypes.throttled);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(90_000);
  });

  it('keeps transient errors retryable and mailbox/item errors final', () => {
    expect(toApplicationFailure(new Error('boom'))).toMatchObject({
      type: FailureTypes.transient,
      nonRetryable: false,
    });
    expect(toApplicationFailure(new MailboxError('m'))).toMatchObject({
      type: FailureTypes.mailbox,
      nonRetryable: true,
    });
    expect(toApplicationFailure(new OversizeError(1, 2, 'x'))).toMatchObject({
      type: FailureTypes.item,
      nonRetryable: true,
    });
  });

  it('passes an ApplicationFailure through unchanged', () => {
    const f = ApplicationFailure.create({ type: 'Custom', message: 'm' });
    expect(toApplicationFailure(f)).toBe(f);
  });
});
