// The JSON Schema of a source settings file, generated from the zod schema (common/settings.ts) so
// that editors validate files that name it with "$schema". Shipped as
// schema/source-settings.schema.json (a test keeps it up to date); `config schema` prints it.
import { z } from 'zod';
import { strictSettingsSchema } from '../common/settings';

export const SETTINGS_SCHEMA_FILE = 'schema/source-settings.schema.json';

export function settingsJsonSchema(): Record<string, unknown> {
  // What a user writes (io: input): keys with defaults are optional, dates are strings.
  const schema = z.toJSONSchema(strictSettingsSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, unknown>;
  } & Record<string, unknown>;
  return {
    ...schema,
    title: 'mimecast-archive-crawler source settings',
    description:
      'One source of the crawler (README.md, Settings reference). Secrets are never part of it: connection.credential names a credential of the worker.',
    // Editors and the CLI accept a "$schema" key; the crawler ignores it.
    properties: { $schema: { type: 'string' }, ...schema.properties },
  };
}
