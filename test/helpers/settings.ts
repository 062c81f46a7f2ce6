// The one way tests build source settings: the smallest valid source, then each layer merged per
// section (a layer's `messages` adds to the base's `messages` instead of replacing it), parsed
// leniently as workflow inputs are, so every default is the production one.
import { parseSettingsLenient, type SourceSettings } from '../../common/settings';

/** Sections by name (`messages`, `index`, ...) or top-level values (`sourceId`). */
export type SettingsLayer = Record<string, unknown>;

const SMALLEST: SettingsLayer = { sourceId: 'src', messages: { startDate: '2024-01-01' } };

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges layers one level deep: sections are merged key by key, other values replaced. */
export function mergeSettings(...layers: SettingsLayer[]): SettingsLayer {
  const out: SettingsLayer = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const prior = out[key];
      out[key] = isSection(prior) && isSection(value) ? { ...prior, ...value } : value;
    }
  }
  return out;
}

/** Settings of a test source: `overrides` on top of `base` on top of the smallest valid source. */
export function settings(overrides: SettingsLayer = {}, base: SettingsLayer = {}): SourceSettings {
  return parseSettingsLenient(mergeSettings(SMALLEST, base, overrides));
}
