// `mimecast-crawler validate --config FILE [--connect]`: checks a configuration strictly (every
// problem names its field and reason) and, with --connect, authenticates and tries each endpoint a
// crawl needs, naming the missing role or product when Mimecast refuses one.
import { classifyError } from '../common/node/errors';
import type { SourceSettings } from '../common/settings';
import { CallScope } from '../activities/mimecast/call-scope';
import type { MimecastClient } from '../activities/mimecast/client';
import { MimecastClientProvider } from '../activities/mimecast/client-provider';
import type { Logger } from '../activities/ports';
import { ConfigFileError, loadSettingsFile } from './settings-file';

export interface ValidateOptions {
  configPath: string;
  connect: boolean;
  /** Worker-like environment holding the credentials (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Receives API traces when the config's traceLevel asks for them (default: silent). */
  logger?: Logger;
}

export interface ValidateResult {
  ok: boolean;
  lines: string[];
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Validation should answer quickly: a long throttle is reported, not waited out. */
const VALIDATE_THROTTLE_BUDGET_MS = 30_000;
/** The message-list probe looks at one day, one record. */
const PROBE_WINDOW_MS = 24 * 3600 * 1000;

function failure(step: string, err: unknown): string {
  return `✗ ${step}: ${classifyError(err).message}`;
}

async function probeEndpoints(
  client: MimecastClient,
  settings: SourceSettings,
  lines: string[],
): Promise<boolean> {
  try {
    await client.authenticate();
    lines.push(
      `✓ authenticated with credential "${settings.connection.credential}" at ${settings.connection.authEndpoint}`,
    );
  } catch (err) {
    lines.push(failure('authentication', err));
    return false;
  }

  let domain: string | undefined;
  let ok = true;
  try {
    const domains = await client.listInternalDomains();
    const included = settings.domains.included.map((p) => new RegExp(p, 'i'));
    const crawlable = domains.filter(
      (d) =>
        (settings.domains.includeLocal || !d.local) &&
        (!included.length || included.some((re) => re.test(d.domain))),
    );
    domain = crawlable[0]?.domain ?? domains[0]?.domain;
    lines.push(`✓ get-internal-domain: ${domains.length} domain(s), ${crawlable.length} in scope`);
  } catch (err) {
    lines.push(failure('get-internal-domain (needs Directories › Internal › Read)', err));
    ok = false;
  }

  let mailbox: string | undefined;
  if (domain) {
    try {
      const page = await client.listInternalUsersPage({ domain, pageSize: 25 });
      mailbox = page.users.find((u) => !u.alias)?.emailAddress ?? page.users[0]?.emailAddress;
      lines.push(`✓ get-internal-users: ${page.users.length} user(s) on the first page of ${domain}`);
    } catch (err) {
      lines.push(failure('get-internal-users (needs Directories › Internal › Read)', err));
      ok = false;
    }
  } else if (ok) {
    lines.push('! get-internal-users: skipped, no internal domain to list');
  }

  if (mailbox) {
    try {
      const end = new Date();
      const page = await client.listMessagesPage({
        mailbox,
        view: 'INBOX',
        start: new Date(end.getTime() - PROBE_WINDOW_MS),
        end,
        pageSize: 1,
      });
      lines.push(`✓ get-message-list: listed ${mailbox} (${page.records.length} record(s) in the last day)`);
    } catch (err) {
      lines.push(failure('get-message-list (needs Archive › Search › Read)', err));
      ok = false;
    }
  } else if (ok) {
    lines.push('! get-message-list: skipped, no mailbox found to list');
  }
  return ok;
}

export async function runValidate(opts: ValidateOptions): Promise<ValidateResult> {
  const lines: string[] = [];
  let settings: SourceSettings;
  try {
    settings = loadSettingsFile(opts.configPath);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      return {
        ok: false,
        lines: [`✗ ${opts.configPath} is invalid:`, ...err.problems.map((p) => `  - ${p}`)],
      };
    }
    throw err;
  }
  lines.push(
    `✓ ${opts.configPath} is valid (source "${settings.sourceId}", index prefix "${settings.index.prefix}")`,
  );
  if (!opts.connect) return { ok: true, lines };

  const provider = new MimecastClientProvider({
    env: opts.env,
    logger: opts.logger ?? silent,
    retry: { transientRetries: 1 },
  });
  try {
    let client: MimecastClient;
    try {
      client = provider
        .forSettings(settings)
        .withCallScope(new CallScope({ maxThrottleWaitMs: VALIDATE_THROTTLE_BUDGET_MS }));
    } catch (err) {
      lines.push(failure('credential', err));
      return { ok: false, lines };
    }
    const ok = await probeEndpoints(client, settings, lines);
    return { ok, lines };
  } finally {
    await provider.close();
  }
}
