// The Elasticsearch privileges the crawler needs, as role descriptors: the same JSON goes into
// roles.yml (file realm), the create-role API and an API key's `role_descriptors`
// (docs/deployment.md, Security checklist; examples/elasticsearch-roles.yml is generated from here).
import { stringify } from 'yaml';

export interface IndexPrivileges {
  names: string[];
  privileges: string[];
  /** Document-level security: only documents matching this query (a JSON string) are visible. */
  query?: string;
}

export interface RoleDescriptor {
  cluster: string[];
  indices: IndexPrivileges[];
}

/** The worker: writes the six indices of its prefix and installs their templates at start. */
export function workerRole(prefix = 'mimecast'): RoleDescriptor {
  return {
    cluster: ['manage_index_templates'],
    indices: [{ names: [`${prefix}-*`], privileges: ['create_index', 'manage', 'read', 'write'] }],
  };
}

/** The CLI (status, restart-mailbox, demo): reads the registry, pass and failed-item indices. */
export function cliRole(prefix = 'mimecast'): RoleDescriptor {
  return { cluster: [], indices: [{ names: [`${prefix}-*`], privileges: ['read'] }] };
}

/**
 * A person's search role: messages and attachments whose `acl` holds `address` (the mailbox
 * owner, lower-case). With a realm that carries user metadata (native, LDAP, SAML), one role for
 * everyone: `{"term": {"acl": "{{_user.metadata.email}}"}}` with `"template"` queries.
 */
export function mailboxReaderRole(address: string, prefix = 'mimecast'): RoleDescriptor {
  return {
    cluster: [],
    indices: [
      {
        names: [`${prefix}-messages`, `${prefix}-attachments`],
        privileges: ['read'],
        query: JSON.stringify({ term: { acl: address.toLowerCase() } }),
      },
    ],
  };
}

/** A roles.yml for the file realm. */
export function rolesYaml(roles: Record<string, RoleDescriptor>): string {
  return stringify(roles, { lineWidth: 0 });
}

/** The roles of examples/elasticsearch-roles.yml (prefix `mimecast`). */
export function exampleRoles(): Record<string, RoleDescriptor> {
  return {
    mimecast_crawler_worker: workerRole(),
    mimecast_crawler_cli: cliRole(),
    mimecast_mailbox_reader_alice: mailboxReaderRole('alice@example.com'),
  };
}
