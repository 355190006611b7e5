import { Store } from '../state/store';
import type { EmbedOptions } from './embed-params';

/** The embed's own options (controls shown and locked), changeable while it runs. */
export type EmbedOptionsStore = Store<EmbedOptions>;

export function createOptionsStore(options: EmbedOptions): EmbedOptionsStore {
  return new Store<EmbedOptions>(options);
}
