// Settings parsed once per pass and carried, marked with their schema version, in every request the pass
// sends (docs/architecture.md, Settings): a mailbox or deletion workflow takes them as they are, and parses
// only settings of another version or of none (histories and queued requests from older builds).
import { parseSettingsLenient, type SourceSettings, type SourceSettingsInput } from './settings';

/**
 * Version of the parsed settings' shape. Bump it with every change to the settings schema (a key, a default,
 * a normalisation): a receiver then parses settings carried by an older build, so the new defaults apply.
 * test/unit/carried-settings.test.ts pins it to a fingerprint of the schema.
 */
export const SETTINGS_SCHEMA_VERSION = 1;

/** Anything that carries settings: a pass input, a crawl request, a deletion input. */
export interface SettingsCarrier {
  settings: SourceSettingsInput | SourceSettings;
  /** SETTINGS_SCHEMA_VERSION of the build that parsed `settings`; absent: not parsed, or an older build. */
  settingsVersion?: number;
}

export interface CarriedSettings {
  settings: SourceSettings;
  settingsVersion: number;
}

/** The carrier's settings, parsed leniently unless they were parsed with this schema version. Throws SettingsError. */
export function carriedSettings(carrier: SettingsCarrier): CarriedSettings {
  const settings =
    carrier.settingsVersion === SETTINGS_SCHEMA_VERSION
      ? (carrier.settings as SourceSettings)
      : parseSettingsLenient(carrier.settings);
  return { settings, settingsVersion: SETTINGS_SCHEMA_VERSION };
}

/**
 * For requests carried in a workflow's own state (continue-as-new): settings of an older build get this
 * build's defaults. Settings that no longer parse are kept as they are: they ran under the older build.
 */
export function upgradeCarriedSettings<T extends SettingsCarrier>(carrier: T): T {
  if (carrier.settingsVersion === SETTINGS_SCHEMA_VERSION) return carrier;
  try {
    return { ...carrier, ...carriedSettings(carrier) };
  } catch {
    return carrier;
  }
}
