/**
 * The ingestor's knowledge of which content addresses the store may hold under `H:`, as a
 * scalable Bloom filter: a list of `AddressFilter` layers, an address possibly held if any layer
 * says so. New addresses go into the last layer; when it has taken in what it was sized for, a
 * layer `INGEST_FILTER_GROWTH` times larger is started, so the filter grows with the store
 * without ever rescanning it, and the false-positive rate stays near the sum of the layers'.
 *
 * A store that held `H:` entries when the ingestor opened gets its first layer from a scan of the
 * store (`beginScan` ... `finishScan`); until the scan has finished there are no layers, every
 * address may be held, and every record is looked up.
 *
 * Invariant (no false negatives): while there are layers, every address whose `H:` key is in the
 * store, or is put by a batch not yet committed, is in one of them. The ingestor adds an address
 * when it applies a record, before the batch holding the put is written; a store emptied by a
 * rebuild starts from `reset`; and a scanned layer only becomes the first layer once it holds
 * every `H:` key of a scan that started after `beginScan`, so every key written before the scan
 * is in it and every key written since was added by the ingestor.
 */
import { INGEST_FILTER_GROWTH } from '../limits.js';
import { AddressFilter } from './address-filter.js';

export class KnownAddresses {
  #layers: AddressFilter[] = [];
  /** The layer a scan is filling, before it becomes the first layer. */
  #scanned: AddressFilter | undefined;

  /** False only if the store certainly holds no `H:` entry for `address`. */
  mayHold(address: Uint8Array): boolean {
    if (this.#layers.length === 0) return true;
    for (const layer of this.#layers) if (layer.mayHold(address)) return true;
    return false;
  }

  /** Records that the store holds, or is about to hold, `address`. */
  add(address: Uint8Array): void {
    this.#scanned?.add(address);
    const last = this.#layers.at(-1);
    if (last === undefined) return;
    if (last.added >= last.capacity) {
      const next = new AddressFilter(last.capacity * INGEST_FILTER_GROWTH);
      this.#layers.push(next);
      next.add(address);
    } else {
      last.add(address);
    }
  }

  /** The store is empty: one complete layer for `capacity` addresses replaces everything. */
  reset(capacity: number): void {
    this.#layers = [new AddressFilter(capacity)];
    this.#scanned = undefined;
  }

  /**
   * Starts the layer for a store that already holds entries, sized for `capacity` addresses;
   * `add` feeds it from now on. The caller adds every stored address from a scan that starts
   * after this call, then calls `finishScan`.
   */
  beginScan(capacity: number): AddressFilter {
    this.#layers = [];
    this.#scanned = new AddressFilter(capacity);
    return this.#scanned;
  }

  /** True while `layer` is the one a scan is filling (a reset abandons it). */
  isScanning(layer: AddressFilter): boolean {
    return this.#scanned === layer;
  }

  /** The scan has added every stored address to `layer`: it becomes the first layer. */
  finishScan(layer: AddressFilter): void {
    if (this.#scanned !== layer) return;
    this.#layers = [layer];
    this.#scanned = undefined;
  }

  /** Bytes the layers hold. */
  get bytes(): number {
    let bytes = this.#scanned?.bytes ?? 0;
    for (const layer of this.#layers) bytes += layer.bytes;
    return bytes;
  }
}
