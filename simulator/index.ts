// Mimecast API 2.0 simulator: startSimulator() runs the API (and a "foreign host" for download links)
// on 127.0.0.1 over a seeded, lazily generated archive; `control` drives and inspects it from tests.
import { Corpus } from './corpus';
import { ApiServer } from './api-server';
import { DEFAULT_FAULTS, DEFAULT_SWITCHES, parseFaultSpec } from './fault-spec';
import { decodeAttachmentId, decodeMessageId, type MessageRef } from './opaque-ids';
import { attachmentsOf } from './message-builder';
import { presetPlan } from './presets';
import type {
  AddMessagesOptions,
  FaultSpec,
  RunningSimulator,
  SimMessageSummary,
  SimulatorControl,
  SimulatorCredential,
  SimulatorOptions,
  SimulatorSwitches,
  View,
} from './types';

export type {
  AddMessagesOptions,
  AddressType,
  FaultSpec,
  PresetName,
  RunningSimulator,
  SimDomain,
  SimMessageSummary,
  SimulatorControl,
  SimulatorCredential,
  SimulatorOptions,
  SimulatorSwitches,
  SimUser,
  View,
} from './types';
export { parseFaultSpec, DEFAULT_FAULTS, DEFAULT_SWITCHES } from './fault-spec';
export { PRESET_NAMES } from './presets';
export { formatMimecastDate, parseMimecastDate } from './mimecast-date';
export { attachmentMarker } from './attachment-factory';

export const DEFAULT_CREDENTIALS: SimulatorCredential[] = [
  { clientId: 'sim-client', clientSecret: 'sim-secret' },
];

function controlError(message: string, status = 400): Error {
  return Object.assign(new Error(message), { status });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const baseClock = opts.clock ?? Date.now;
  let offset = 0;
  const now = () => baseClock() + offset;
  const seed = opts.seed ?? 1;
  const presetName = opts.preset ?? 'small';
  const fullPlan = presetPlan(presetName);
  const plan = opts.mailboxCount
    ? { ...fullPlan, mailboxes: fullPlan.mailboxes.slice(0, opts.mailboxCount) }
    : fullPlan;
  const corpus = new Corpus(plan, seed, now(), opts.hostile ?? false);
  const switches: SimulatorSwitches = { ...DEFAULT_SWITCHES, ...(opts.switches ?? {}) };
  const initialFaults = typeof opts.faults === 'string' ? parseFaultSpec(opts.faults) : (opts.faults ?? {});
  const faults: FaultSpec = {
    ...DEFAULT_FAULTS,
    latencyMs: plan.latencyMs,
    ...plan.faults,
    ...initialFaults,
  };
  const credentials = opts.credentials ?? DEFAULT_CREDENTIALS;

  const refOrThrow = (id: string): MessageRef => {
    const ref = decodeMessageId(id);
    if (!ref) throw controlError(`malformed message id ${id}`);
    return ref;
  };

  const control: SimulatorControl = {
    listDomains: () => corpus.listDomains(),
    listUsers: () => corpus.listUsers(),
    mailboxes: () => corpus.mailboxes(),
    expectedMessages(mailbox, view, range) {
      const startSec = range ? Math.floor(range.start.getTime() / 1000) : 0;
      const endSec = range ? Math.floor(range.end.getTime() / 1000) : 0xffffffff;
      const listing = corpus.list({
        mailbox,
        view,
        startSec,
        endSec,
        includeAliases: true,
        includeDelegates: false,
      });
      const out: SimMessageSummary[] = [];
      for (let a = listing.count - 1; a >= 0; a--) {
        const m = typeof listing.mbx === 'number' ? listing.mbx : listing.mbx[a];
        out.push(corpus.summary(corpus.specUnchecked(corpus.refFor(m, view, listing.refs[a]))));
      }
      return out;
    },
    messageCount(mailbox, view, range) {
      const startSec = range ? Math.floor(range.start.getTime() / 1000) : 0;
      const endSec = range ? Math.floor(range.end.getTime() / 1000) : 0xffffffff;
      return corpus.list({ mailbox, view, startSec, endSec, includeAliases: true, includeDelegates: false })
        .count;
    },
    addMessages(mailbox, count, o: AddMessagesOptions = {}) {
      const view = o.view ?? 'INBOX';
      const at = Math.floor((o.received ? o.received.getTime() : now()) / 1000);
      // Without sameSecond the messages take consecutive seconds ending at `received` (at most a minute back).
      const times = Array.from({ length: count }, (_, i) =>
        o.sameSecond ? at : at - Math.min(59, count - 1 - i),
      );
      return corpus.addMessages(mailbox, view, times).map((ref) => corpus.summary(corpus.specUnchecked(ref)));
    },
    addLateMessage(mailbox, view, received) {
      const [ref] = corpus.addMessages(mailbox, view, [Math.floor(received.getTime() / 1000)]);
      return corpus.summary(corpus.specUnchecked(ref));
    },
    deleteMessage(mailbox, view, id) {
      corpus.deleteMessage(mailbox, view, refOrThrow(id));
    },
    removeMailbox: (address) => corpus.removeMailbox(address),
    addMailbox: (address, domain, messageCount) => corpus.addMailbox(address, domain, messageCount),
    setSwitches(p) {
      Object.assign(switches, p);
    },
    setFaults(p) {
      Object.assign(faults, p);
    },
    switches: () => ({ ...switches }),
    faults: () => ({ ...faults }),
    counters: () => server.counters(),
    resetCounters: () => server.resetCounters(),
    foreignAuthorizationSeen: () => server.foreignAuthorizationSeen(),
    issuedTokens: () => server.issuedTokens(),
    messageRfc822(id) {
      const spec = corpus.spec(refOrThrow(id));
      if (!spec) throw controlError(`no message ${id}`, 404);
      return server.rfc822(spec, 'RECEIVED');
    },
    messageRfc822Async: async (id) => control.messageRfc822(id),
    attachmentBytes(attachmentId) {
      const ref = decodeAttachmentId(attachmentId);
      if (!ref) throw controlError(`malformed attachment id ${attachmentId}`);
      const spec = corpus.spec(ref);
      const att = spec && attachmentsOf(spec)[ref.attachment];
      if (!att) throw controlError(`no attachment ${attachmentId}`, 404);
      return att.bytes;
    },
    advanceClock(ms) {
      offset += ms;
    },
  };

  const date = (v: unknown) => (v === undefined || v === null ? undefined : new Date(String(v)));
  const viewOf = (v: unknown): View => (v === 'SENT' ? 'SENT' : 'INBOX');
  const httpControl = async (op: string, b: unknown): Promise<unknown> => {
    const body = (b ?? {}) as Record<string, unknown>;
    switch (op) {
      case 'add-messages':
        return control.addMessages(String(body.mailbox), Number(body.count ?? 1), {
          view: viewOf(body.view),
          received: date(body.received),
          sameSecond: body.sameSecond === true,
        });
      case 'add-late-message':
        return control.addLateMessage(
          String(body.mailbox),
          viewOf(body.view),
          date(body.received) ?? new Date(now() - 86_400_000),
        );
      case 'delete-message':
        return control.deleteMessage(String(body.mailbox), viewOf(body.view), String(body.id));
      case 'remove-mailbox':
        return control.removeMailbox(String(body.address));
      case 'add-mailbox':
        return control.addMailbox(String(body.address), String(body.domain), Number(body.messageCount ?? 0));
      case 'set-switches':
        return control.setSwitches(body as Partial<SimulatorSwitches>);
      case 'set-faults':
        return control.setFaults(
          typeof body.spec === 'string' ? parseFaultSpec(body.spec) : (body as Partial<FaultSpec>),
        );
      case 'counters':
        return control.counters();
      case 'reset-counters':
        return control.resetCounters();
      case 'mailboxes':
        return control.mailboxes();
      case 'users':
        return control.listUsers();
      case 'domains':
        return control.listDomains();
      case 'expected-messages': {
        const start = date(body.start);
        const end = date(body.end);
        return control.expectedMessages(
          String(body.mailbox),
          viewOf(body.view),
          start && end ? { start, end } : undefined,
        );
      }
      case 'foreign-authorization-seen':
        return control.foreignAuthorizationSeen();
      case 'advance-clock':
        return control.advanceClock(Number(body.ms ?? 0));
      case 'state':
        return {
          preset: presetName,
          seed,
          switches: control.switches(),
          faults: control.faults(),
          mailboxes: control.mailboxes().length,
        };
      default:
        throw controlError(`unknown control operation ${op}`, 404);
    }
  };

  const server = new ApiServer({
    corpus,
    credentials,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 1799,
    switches,
    faults,
    now,
    seed,
    control: httpControl,
  });
  await server.listen(opts.port ?? 0, opts.foreignPort ?? 0, opts.host ?? '127.0.0.1');
  return {
    url: server.url,
    foreignUrl: server.foreignUrl,
    control,
    credentials,
    close: () => server.close(),
  };
}
