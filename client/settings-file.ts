// Reads a source configuration file for the CLI: JSON (or YAML), parsed strictly (docs/architecture.md,
// Settings: unknown keys are errors; every problem names its field).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { developmentHosts } from '../activities/mimecast/credentials';
import { parseSettingsStrict, SettingsError, type SourceSettings } from '../common/settings';

export class ConfigFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

export function loadSettingsFile(path: string): SourceSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(path, [
      `not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    ]);
  }
  // "$schema" is for editors (schema/source-settings.schema.json); the crawler ignores it.
  if (raw && typeof raw === 'object' && '$schema' in raw) {
    const { $schema: _schema, ...settings } = raw as Record<string, unknown>;
    raw = settings;
  }
  try {
    return parseSettingsStrict(raw, { developmentHosts: developmentHosts() });
  } catch (err) {
    if (err instanceof SettingsError) throw new ConfigFileError(path, err.problems);
    throw err;
  }
}
