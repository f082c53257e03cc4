/**
 * Views of a growable SharedArrayBuffer that stay fast.
 *
 * A typed array that tracks a growable buffer's length is several times
 * slower to access than one of fixed length (V8 11: 30 ns against 5 ns for
 * an `Atomics.load`), so weft keeps fixed-length views of the buffer as it
 * was last seen and makes new ones when an access reaches past them — after
 * any thread has grown the buffer. Every user of one queue's buffer in a
 * thread shares one `GrowingViews`, so one refresh serves them all.
 */
export class GrowingViews {
  readonly buffer: SharedArrayBuffer;
  /** Int32 view of the buffer as last seen. */
  words: Int32Array;
  /** Byte view of the buffer as last seen. */
  bytes: Uint8Array;
  /** DataView of the buffer as last seen. */
  view: DataView;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    this.bytes = new Uint8Array(buffer, 0, buffer.byteLength);
    this.view = new DataView(buffer, 0, buffer.byteLength);
  }

  /** Makes sure the views reach byte `end` (exclusive), re-making them if the buffer has grown since. */
  reach(end: number): void {
    if (end <= this.bytes.length) return;
    const length = this.buffer.byteLength;
    if (end > length) throw new RangeError(`weft internal error: byte ${end} is past the queue's memory (${length} bytes)`);
    this.words = new Int32Array(this.buffer, 0, length >>> 2);
    this.bytes = new Uint8Array(this.buffer, 0, length);
    this.view = new DataView(this.buffer, 0, length);
  }
}
