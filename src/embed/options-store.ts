import type { EmbedOptions } from '../settings/embed-params';
import { Store } from '../state/store';

/** The embed's own options (controls shown and locked), changeable while it runs. */
export type EmbedOptionsStore = Store<EmbedOptions>;

export function createOptionsStore(options: EmbedOptions): EmbedOptionsStore {
  return new Store<EmbedOptions>(options);
}
