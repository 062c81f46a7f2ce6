// What flows through the message pipeline: a message job (a list record, or a recorded failure being
// retried) and the context every step of processing it shares (clients, settings, the mailbox, the
// activity runtime). Types only, so the pipeline's steps import them without importing each other.
import type { View } from '../../common/contracts';
import type { SourceSettings } from '../../common/settings';
import type { ActivityDeps } from '../deps';
import type { MimecastClient, MimecastMessageRecord } from '../mimecast/client';
import type { ActivityRuntime } from '../ports';

/** A message to fetch and index (a list record, or a recorded failure being retried). */
export interface MessageJob {
  view: View;
  record: MimecastMessageRecord;
}

export interface ProcessContext {
  deps: ActivityDeps;
  settings: SourceSettings;
  client: MimecastClient;
  address: string;
  /** The mailbox as stored in documents: lower-cased address, or its keyed hash (privacy). */
  mailbox: string;
  domain: string;
  passId: string;
  runtime: ActivityRuntime;
  now: () => Date;
}
