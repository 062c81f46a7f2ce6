// Named corpus shapes: how many domains, mailboxes and messages, and the default latency of each preset.
import { hash32 } from './seeded-random';
import type { FaultSpec, PresetName, SimDomain } from './types';

export interface MailboxPlan {
  local: string;
  domain: string;
  inbox: number;
  sent: number;
}

export interface PresetPlan {
  name: PresetName;
  domains: Omit<SimDomain, 'id'>[];
  mailboxes: MailboxPlan[];
  /** Days of history before the anchor (the clock at start). */
  spanDays: number;
  /** Messages shared by several mailboxes (same id in a SENT and several INBOX views). */
  sharedCount: number;
  /** Size of the largest run of messages sharing one received second, per view with enough messages. */
  clusterSize: number;
  /** Probability that a message has no attachment. */
  plainRate: number;
  latencyMs: number;
  hostile: boolean;
  /** Faults the preset starts with (the faults option and --faults override them). */
  faults?: Partial<FaultSpec>;
}

/** Longer than the crawler's 30 s page heartbeat timeout: a slow message must not look like a lost worker. */
export const ODD_PRESET_SLOW_DOWNLOAD_MS = 40_000;

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yasmin',
];

const DOMAINS: Omit<SimDomain, 'id'>[] = [
  { domain: 'example.com', sendOnly: false, local: true, inboundType: 'ldap' },
  { domain: 'example.org', sendOnly: false, local: false, inboundType: 'smtp' },
  { domain: 'sales.example.net', sendOnly: false, local: false, inboundType: 'known' },
  { domain: 'notify.example.io', sendOnly: true, local: false, inboundType: 'any' },
];

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    i < FIRST.length ? FIRST[i] : `${FIRST[i % FIRST.length]}${Math.floor(i / FIRST.length)}`,
  );
}

function spread(
  n: number,
  domainCount: number,
  counts: (i: number) => { inbox: number; sent: number },
): MailboxPlan[] {
  return names(n).map((local, i) => ({ local, domain: DOMAINS[i % domainCount].domain, ...counts(i) }));
}

function vary(i: number, base: number, spreadPct: number, salt: string): number {
  const h = hash32(salt, i) / 4294967296;
  return Math.max(0, Math.round(base * (1 - spreadPct + 2 * spreadPct * h)));
}

type Counts = [inbox: number, sent: number];

/** alice and bob at example.com, carol at example.org, over 40 days: the mailboxes small end-to-end tests name. */
function trio(alice: Counts, bob: Counts, carol: Counts) {
  const mailbox = (local: string, domain: string, [inbox, sent]: Counts) => ({ local, domain, inbox, sent });
  return {
    domains: DOMAINS.slice(0, 2),
    mailboxes: [
      mailbox('alice', 'example.com', alice),
      mailbox('bob', 'example.com', bob),
      mailbox('carol', 'example.org', carol),
    ],
    spanDays: 40,
    sharedCount: 2,
    clusterSize: 3,
  };
}

export function presetPlan(name: PresetName): PresetPlan {
  const base = {
    name,
    spanDays: 120,
    sharedCount: 0,
    clusterSize: 0,
    plainRate: 0.45,
    latencyMs: 0,
    hostile: false,
  };
  switch (name) {
    case 'tiny':
      return { ...base, ...trio([8, 4], [5, 2], [0, 0]) };
    case 'small':
      return {
        ...base,
        domains: DOMAINS.slice(0, 3),
        mailboxes: [
          ...spread(7, 3, (i) => ({
            inbox: i === 2 ? 0 : vary(i, 50, 0.5, 'si'),
            sent: i === 2 ? 0 : vary(i, 15, 0.5, 'ss'),
          })),
          { local: 'bulk', domain: 'example.com', inbox: 350, sent: 5 },
        ],
        spanDays: 90,
        sharedCount: 20,
        clusterSize: 150,
      };
    case 'medium':
      return {
        ...base,
        domains: DOMAINS.slice(0, 3),
        mailboxes: spread(20, 3, (i) =>
          i === 5 ? { inbox: 0, sent: 0 } : { inbox: vary(i, 380, 0.6, 'mi'), sent: vary(i, 120, 0.6, 'ms') },
        ),
        spanDays: 365,
        sharedCount: 200,
        clusterSize: 250,
      };
    case 'large':
      return {
        ...base,
        domains: DOMAINS,
        mailboxes: spread(60, 4, (i) =>
          i % 20 === 7
            ? { inbox: 0, sent: 0 }
            : { inbox: vary(i, 1600, 0.7, 'li'), sent: vary(i, 500, 0.7, 'ls') },
        ),
        spanDays: 730,
        sharedCount: 2000,
        clusterSize: 600,
      };
    case 'huge-mailbox':
      return {
        ...base,
        domains: DOMAINS.slice(0, 1),
        mailboxes: [{ local: 'huge', domain: 'example.com', inbox: 100_000, sent: 0 }],
        spanDays: 1095,
        clusterSize: 1200,
      };
    case 'latency-32':
      return {
        ...base,
        domains: DOMAINS.slice(0, 1),
        mailboxes: names(32).map((local) => ({ local, domain: 'example.com', inbox: 250, sent: 50 })),
        spanDays: 180,
        clusterSize: 0,
        latencyMs: 100,
      };
    case 'demo':
      return {
        ...base,
        domains: DOMAINS.slice(0, 3),
        mailboxes: spread(10, 3, (i) => ({ inbox: vary(i, 260, 0.5, 'di'), sent: vary(i, 80, 0.5, 'ds') })),
        spanDays: 180,
        sharedCount: 60,
        clusterSize: 120,
        plainRate: 0.25,
      };
    case 'hostile':
      return {
        ...base,
        domains: DOMAINS.slice(0, 2),
        mailboxes: spread(4, 2, (i) => ({ inbox: 30 + i * 5, sent: 5 })),
        spanDays: 60,
        sharedCount: 4,
        clusterSize: 10,
        plainRate: 0.3,
        hostile: true,
      };
    case 'many-mailboxes':
      // The steady state at enterprise size: 10,000 small mailboxes of 0–3 messages in the last 30 days.
      return {
        ...base,
        domains: DOMAINS.slice(0, 3),
        mailboxes: spread(10_000, 3, (i) => {
          const messages = hash32('mm', i) % 4;
          const sent = messages >= 2 ? 1 : 0;
          return { inbox: messages - sent, sent };
        }),
        spanDays: 30,
        plainRate: 0.8,
      };
    case 'odd':
      // A few odd list records and a few messages that trickle out for longer than a heartbeat timeout.
      return {
        ...base,
        ...trio([24, 6], [12, 4], [10, 2]),
        faults: { oddRecordShare: 0.12, slowDownloadMs: ODD_PRESET_SLOW_DOWNLOAD_MS, slowShare: 0.04 },
      };
    default:
      throw new Error(`unknown preset ${String(name)}`);
  }
}

export const PRESET_NAMES: PresetName[] = [
  'tiny',
  'small',
  'medium',
  'large',
  'huge-mailbox',
  'latency-32',
  'demo',
  'hostile',
  'many-mailboxes',
  'odd',
];
