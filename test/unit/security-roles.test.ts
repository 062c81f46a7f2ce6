// The roles a security reviewer reads (docs/deployment.md, Security checklist, and
// examples/elasticsearch-roles.yml) are the ones the security tier proves on a real node: both are
// compared here with activities/elastic/security-roles.ts, which test/security uses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  cliRole,
  exampleRoles,
  mailboxReaderRole,
  workerRole,
} from '../../activities/elastic/security-roles';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Every ```json block of the Security checklist, parsed. */
function checklistJson(): unknown[] {
  const doc = read('docs/deployment.md');
  const section = doc.slice(doc.indexOf('## Security checklist'));
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
}

describe('Elasticsearch roles of the crawler', () => {
  it('examples/elasticsearch-roles.yml is what the code generates', () => {
    expect(parse(read('examples/elasticsearch-roles.yml'))).toEqual(exampleRoles());
  });

  it('the Security checklist shows the worker, CLI and mailbox roles and API-key descriptors the tests use', () => {
    const blocks = checklistJson();
    expect(blocks).toEqual(
      expect.arrayContaining([
        workerRole(),
        cliRole(),
        mailboxReaderRole('alice@example.com'),
        { name: 'mimecast-crawler-worker', role_descriptors: { mimecast_crawler_worker: workerRole() } },
        { name: 'mimecast-crawler-cli', role_descriptors: { mimecast_crawler_cli: cliRole() } },
      ]),
    );
  });

  it('scopes each role to its prefix: the worker writes only <prefix>-*, readers only read', () => {
    expect(workerRole('legal').indices).toEqual([
      { names: ['legal-*'], privileges: ['create_index', 'manage', 'read', 'write'] },
    ]);
    expect(cliRole('legal').indices.flatMap((i) => i.privileges)).toEqual(['read']);
    const reader = mailboxReaderRole('Alice@Example.com', 'legal').indices[0]!;
    expect(reader.names).toEqual(['legal-messages', 'legal-attachments']);
    expect(JSON.parse(reader.query!)).toEqual({ term: { acl: 'alice@example.com' } });
  });
});
