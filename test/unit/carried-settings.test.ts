// Settings are parsed once per pass (docs/architecture.md, Settings): the pass's requests carry them with the
// schema version, the mailbox takes them as they are, and parses only those of older builds. The pass's
// dispatcher runs here against a stand-in of the workflow API that records what it starts and signals.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import * as settingsModule from '../../common/settings';
import {
  carriedSettings,
  SETTINGS_SCHEMA_VERSION,
  type SettingsCarrier,
} from '../../common/carried-settings';
import type { CrawlMailboxInput, CrawlRequest, DeleteMailboxInput } from '../../common/contracts';
import type { MailboxCarriedState } from '../../common/contracts';
import { MailboxDispatcher } from '../../workflows/pass-dispatch';
import { PassState } from '../../workflows/pass-state';
import { migrateMailboxState } from '../../workflows/mailbox-state-migration';
import { queueRestart } from '../../workflows/mailbox-restart';

const sent: { type: 'start' | 'delete'; input: CrawlMailboxInput | DeleteMailboxInput }[] = [];

jest.mock('../../common/settings', () => {
  const actual = jest.requireActual('../../common/settings');
  return { ...actual, parseSettingsLenient: jest.fn(actual.parseSettingsLenient) };
});

jest.mock('@temporalio/workflow', () => ({
  ...jest.requireActual('@temporalio/common'),
  defineSignal: (name: string) => ({ name }),
  defineQuery: (name: string) => ({ name }),
  defineUpdate: (name: string) => ({ name }),
  ParentClosePolicy: {},
  ChildWorkflowCancellationType: {},
  isCancellation: () => false,
  log: { warn: () => undefined },
  patched: () => true,
  workflowInfo: () => ({ workflowId: 'pass-wf', continueAsNewSuggested: false }),
  startChild: async (_type: string, options: { args: [CrawlMailboxInput] }) => {
    sent.push({ type: 'start', input: options.args[0] });
  },
  executeChild: async (_type: string, options: { args: [DeleteMailboxInput] }) => {
    sent.push({ type: 'delete', input: options.args[0] });
    return { address: options.args[0].address, deleted: 0, mailboxWorkflowClosed: true };
  },
  getExternalWorkflowHandle: () => ({ signal: async () => undefined }),
}));

const parseSpy = settingsModule.parseSettingsLenient as jest.Mock;
const RAW = { sourceId: 'src', messages: { startDate: '2024-01-01' } };

beforeEach(() => {
  sent.length = 0;
  parseSpy.mockClear();
});

function mailbox(i: number) {
  return { address: `u${i}@example.com`, mailboxKey: `k${i}`, domain: 'example.com', since: '' };
}

/** Runs the pass side for five mailboxes: parse at the start, then one dispatch each. */
async function dispatchFive(phase: 'start' | 'delete'): Promise<void> {
  const { settings } = carriedSettings({ settings: RAW }); // the pass start (crawl-archive.ts)
  const state = PassState.create({ passId: 'p1', sourceId: 'src', mode: 'delta', startedAt: '' });
  state.data.phase = phase === 'delete' ? 'delete' : 'crawl';
  const dispatcher = new MailboxDispatcher({
    state,
    settings,
    options: {},
    maxChildStarts: 100,
    onSettled: () => undefined,
  });
  for (let i = 0; i < 5; i++) dispatcher.launch(mailbox(i));
  await dispatcher.settled();
}

describe('settings carried from the pass to its mailboxes', () => {
  test('the pass parses once; its five mailbox requests are taken as they are', async () => {
    await dispatchFive('start');
    expect(parseSpy).toHaveBeenCalledTimes(1);
    const requests = sent.map((s) => (s.input as CrawlMailboxInput).requests![0] as CrawlRequest);
    expect(requests).toHaveLength(5);
    // What each mailbox workflow does on crawlRequested (crawl-mailbox.ts, accept).
    const accepted = requests.map((r) => carriedSettings(r));
    expect(parseSpy).toHaveBeenCalledTimes(1);
    for (const a of accepted) {
      expect(a.settingsVersion).toBe(SETTINGS_SCHEMA_VERSION);
      expect(a.settings.messages.startDate).toBe('2024-01-01T00:00:00Z');
      expect(a.settings.performance.pageSize).toBe(100);
    }
  });

  test('deletion children get the parsed settings and do not parse them again', async () => {
    await dispatchFive('delete');
    const inputs = sent.map((s) => s.input as DeleteMailboxInput);
    expect(inputs).toHaveLength(5);
    inputs.forEach((input) => carriedSettings(input)); // deleteMailbox's first line
    expect(parseSpy).toHaveBeenCalledTimes(1);
  });

  test('a request without the version (an older pass, an old history) is parsed with the defaults', () => {
    const old = { passId: 'p0', replyTo: 'r', mode: 'delta', settings: RAW } as unknown as CrawlRequest;
    const { settings, settingsVersion } = carriedSettings(old);
    expect(parseSpy).toHaveBeenCalledTimes(1);
    expect(settingsVersion).toBe(SETTINGS_SCHEMA_VERSION);
    expect(settings.messages.startDate).toBe('2024-01-01T00:00:00Z');
    expect(settings.performance.pageConcurrency).toBe(4);
    // Another version (a build with another schema) is parsed too; bad settings still throw.
    carriedSettings({ settings: RAW, settingsVersion: SETTINGS_SCHEMA_VERSION + 1 });
    expect(parseSpy).toHaveBeenCalledTimes(2);
    const bad = { sourceId: 'BAD' } as unknown as SettingsCarrier['settings'];
    expect(() => carriedSettings({ settings: bad })).toThrow(settingsModule.SettingsError);
  });

  test('requests queued by an older build get the defaults when the mailbox continues as new', () => {
    const partial = { ...carriedSettings({ settings: RAW }).settings } as Record<string, unknown>;
    partial.performance = { pageSize: 50 }; // written before pageConcurrency existed
    const oldRequest = { passId: 'p0', replyTo: 'r', mode: 'delta', settings: partial };
    const carried = { version: 1, queue: [oldRequest], lastRequest: oldRequest } as MailboxCarriedState;
    parseSpy.mockClear();
    const state = migrateMailboxState(carried);
    expect(state.queue[0].settings.performance).toMatchObject({ pageSize: 50, pageConcurrency: 4 });
    expect(state.queue[0].settingsVersion).toBe(SETTINGS_SCHEMA_VERSION);
    expect(state.lastRequest!.settings.performance.pageConcurrency).toBe(4);
    // Once upgraded, the next continue-as-new parses nothing.
    parseSpy.mockClear();
    migrateMailboxState(JSON.parse(JSON.stringify(state)) as MailboxCarriedState);
    expect(parseSpy).not.toHaveBeenCalled();
  });

  test('a restart without settings keeps the version of the settings it reuses', () => {
    const last = {
      passId: 'p1',
      replyTo: 'r',
      mode: 'delta',
      ...carriedSettings({ settings: RAW }),
    } as const;
    const state = migrateMailboxState({ version: 1, lastRequest: last } as unknown as MailboxCarriedState);
    queueRestart(state, {}, undefined, 1_000);
    expect(state.queue[0]).toMatchObject({
      settings: last.settings,
      settingsVersion: SETTINGS_SCHEMA_VERSION,
    });
  });
});

// A change to the schema without a new SETTINGS_SCHEMA_VERSION would let a mailbox take an older build's
// settings as they are, without the new defaults. When this fails: bump SETTINGS_SCHEMA_VERSION in
// common/carried-settings.ts and record the new fingerprint under the new version.
const FINGERPRINTS: Record<number, string> = {
  1: 'a84a4efca8866623',
};

test('the settings schema version changes whenever the schema does', () => {
  const shape = [
    z.toJSONSchema(settingsModule.lenientSettingsSchema, { io: 'input', unrepresentable: 'any' }),
    z.toJSONSchema(settingsModule.lenientSettingsSchema, { io: 'output', unrepresentable: 'any' }),
  ];
  const fingerprint = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
  expect({ version: SETTINGS_SCHEMA_VERSION, fingerprint }).toEqual({
    version: SETTINGS_SCHEMA_VERSION,
    fingerprint: FINGERPRINTS[SETTINGS_SCHEMA_VERSION],
  });
});
