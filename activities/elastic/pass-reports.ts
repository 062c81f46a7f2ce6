// One report document per pass in `<prefix>-passes` (docs/architecture.md, Index contract), keyed by source
// and pass id.
import type { Client } from '@elastic/elasticsearch';
import { indexNames, type PassReportDocument } from '../../common/node/documents';
import { passReportDocId } from './document-ids';

export async function writePassReportDocument(
  es: Client,
  prefix: string,
  report: PassReportDocument,
): Promise<string> {
  const id = passReportDocId(report.source, report.passId);
  const document: PassReportDocument = {
    ...report,
    status: report.status ?? report.progress.status,
    mode: report.mode ?? report.progress.mode,
    startedAt: report.startedAt ?? report.progress.startedAt,
    messagesIndexed: report.messagesIndexed ?? report.progress.messages.indexed,
  };
  await es.index({ index: indexNames(prefix).passes, id, document });
  return id;
}

export async function readPassReport(
  es: Client,
  q: { prefix: string; source: string; passId: string },
): Promise<PassReportDocument | undefined> {
  const response = await es.get<PassReportDocument>(
    { index: indexNames(q.prefix).passes, id: passReportDocId(q.source, q.passId) },
    { ignore: [404] },
  );
  return response.found ? response._source : undefined;
}
