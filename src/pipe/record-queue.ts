/**
 * A FIFO of message records that stays O(1) per take however long it
 * grows (Array.prototype.shift copies a long array): an array read from a
 * moving head, compacted once the taken part is most of it.
 */
export class RecordQueue {
  #items: Uint8Array[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(record: Uint8Array): void {
    this.#items.push(record);
  }

  /** The oldest record, left in place. */
  peek(): Uint8Array | undefined {
    return this.#items[this.#head];
  }

  shift(): Uint8Array | undefined {
    if (this.#head === this.#items.length) return undefined;
    const record = this.#items[this.#head];
    this.#items[this.#head++] = undefined as never;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return record;
  }
}
