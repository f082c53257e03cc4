/**
 * Reference counts of the hub's objects, across every thread of every
 * process of the tree: when nobody can name an object any more, its state
 * leaves the hub (a server that makes a Queue per request does not grow
 * forever). Kept by the hub's core (`hub.ts`) for every object in the
 * registry (`call.ts`), whatever its kind: a new kind gets it for free.
 *
 * ## Who holds a reference
 *
 * - **A wrapper.** Each client-side wrapper (a `Lock`, a `Queue`… in one
 *   thread of one process) holds one reference, counted for its thread
 *   (`client`, `thread`). Creating an object gives its creator's thread the
 *   first one (no message beyond the `create`); a wrapper rebuilt from a
 *   handle sends `adopt` (or `retain`, for a handle without a ticket); a
 *   wrapper the garbage collector finalised sends `release`.
 * - **A handle in flight.** A handle is made (`[kHandle]()`) by the sender
 *   for one journey — a Process's or Thread's arguments, a pool task — and
 *   the sender's wrapper may be collected before the receiver attaches. So
 *   making a handle *lends* one reference under a fresh ticket (`lend`),
 *   and the receiver's wrapper *adopts* that ticket: the reference moves to
 *   the receiver's thread. A carrier that knows its handles will never be
 *   received (a Process that ended) *drops* their tickets.
 *
 * - **A stored value.** A container in the hub — a managed dict, list or
 *   namespace (`manager.ts`) — holds one reference per handle inside each
 *   value it stores, counted for the pseudo-thread (`HUB`, container id):
 *   on storing, the hub *adopts* the value's tickets (taken in for the
 *   call under (`HUB`, `IN_CALL`), then moved to the container) and keeps
 *   the value without tickets; overwriting, removing, clearing, shutting
 *   down or freeing the container *releases* them (`stored-values.ts`). A
 *   reader never adopts a stored ticket: each value read leaves the hub with
 *   fresh tickets the hub lends on the reader's behalf (`lendFromHub`).
 * - **A queued item.** A process-scope queue's item keeps the tickets its
 *   putter lent: a lent ticket already counts, and the getter's wrapper
 *   adopts it when the item leaves the queue (moving the reference to the
 *   getter, as for any handle in flight). A queue that discards items
 *   (`shutdown({ immediate })`, or the queue freed) drops their tickets.
 *
 * All the client's messages are one-way and batched per thread with its
 * next message (`client.ts`): no round trip is added to any call. The hub's
 * own operations (stored values) run inside the call that causes them.
 *
 * ## Order
 *
 * A thread's messages reach the hub in the order it sent them, so a
 * thread's `lend`/`adopt`/`retain` of an object always comes before its
 * `release` of it, and its calls on a wrapper come before the wrapper's
 * `release`. Messages of *different* threads or processes are not ordered:
 * the receiver's `adopt` may come before the sender's `lend`. That is why a
 * ticket has states:
 *
 * | ticket state | how it got there                         | counts as a reference |
 * |--------------|------------------------------------------|-----------------------|
 * | lent         | `lend` came first                        | yes (the one in flight) |
 * | early        | `adopt` came first; its `lend` will come | pins the object (see below) |
 * | dropped      | `drop` came before the `adopt`            | no (a tombstone)      |
 *
 * `lend` of an early ticket, or `adopt` of a lent or dropped one, removes
 * the ticket (the adopter's reference is counted for its thread).
 *
 * ## Invariants
 *
 * 1. `holders` of an object is the sum of the counts in `byThread` for it.
 * 2. An object is removed only when `holders === 0`, it has no lent or
 *    early ticket, and no call waits on it (`waiting === 0`). Then nobody
 *    can name it: every wrapper is counted in `holders` (its thread sent
 *    `adopt`/`retain` before any call), every handle in flight is a lent or
 *    early ticket, and a `lend` always reaches the hub before its sender's
 *    `release` (same thread) — so a sender's reference cannot run out while
 *    its lend is on the way.
 * 3. A thread or process that ends releases the references of its
 *    wrappers (they died with it), not its lent tickets (those are in
 *    flight to someone alive).
 * 4. A message about an object no longer in the hub is ignored: it can only
 *    come from a thread that was already told the object is gone, or from
 *    a process whose receiver died (a late `adopt` after a `drop`).
 * 5. A container holds exactly one reference (under (`HUB`, its id)) per
 *    handle inside the values it stores now; a stored value carries no
 *    ticket. Every ticket that arrives in a call's values is adopted by the
 *    hub during that call (`IN_CALL`), and whatever the call did not store
 *    is released when it ends — a value that was only compared (`index`,
 *    `count`, `remove`), or refused (an index out of range), leaves nothing
 *    pinned. A value the hub hands back to a caller carries tickets lent by
 *    the hub in the same step, before the container may release its own.
 * 6. A removed object is told (`freed`) after it left the registry; what it
 *    stored is released then, so freeing cascades (a list of dicts frees
 *    them), iteratively (`hub.ts`), never recursively.
 *
 * Not covered (the object stays, which is safe): a handle made and never
 * sent (an encode that failed after it), or sent in a carrier lost without
 * a `drop` (a pool task never run, a Thread terminated before it decoded
 * its arguments). Such an object lives until the tree ends.
 */

type TicketState = 'lent' | 'early' | 'dropped';

interface Entry {
  /** References of wrappers, over all threads. */
  holders: number;
  /** Tickets of handles in flight (see the table above). */
  readonly tickets: Map<string, TicketState>;
  /** Calls waiting on the object in the hub: it is not removed under them. */
  waiting: number;
}

/** One reference operation, as a thread batches them: `[op, object id, ticket?]`. */
export type RefOp =
  | readonly ['retain', number]
  | readonly ['release', number]
  | readonly ['lend', number, string]
  | readonly ['adopt', number, string]
  | readonly ['drop', number, string];

export const REF_OPS: ReadonlySet<string> = new Set(['retain', 'release', 'lend', 'adopt', 'drop']);

/**
 * The client number of the hub's own holders: a container's stored values
 * (thread = the container's id) and a call's values being taken in
 * (thread = `IN_CALL`; object ids start at 1, so 0 names no container).
 */
export const HUB = -1;
export const IN_CALL = 0;

/** A frozen count, for `weft/testing`'s `hubStatistics()`. */
export interface ReferenceStatistics {
  readonly objects: number;
  readonly references: number;
  readonly ticketsInFlight: number;
}

export class References {
  readonly #entries = new Map<number, Entry>();
  /** client → thread → object id → references held. */
  readonly #byThread = new Map<number, Map<number, Map<number, number>>>();
  readonly #remove: (id: number) => void;

  /** `remove` takes an object whose last reference went out of the hub's registry. */
  constructor(remove: (id: number) => void) {
    this.#remove = remove;
  }

  /** A new object, its first reference held by its creator's thread. */
  created(id: number, client: number, thread: number): void {
    this.#entries.set(id, { holders: 0, tickets: new Map(), waiting: 0 });
    this.#hold(id, client, thread, 1);
  }

  /** Applies one operation from thread (`client`, `thread`). */
  apply(client: number, thread: number, op: RefOp): void {
    const id = op[1];
    const entry = this.#entries.get(id);
    if (entry === undefined) return; // invariant 4
    switch (op[0]) {
      case 'retain':
        return this.#hold(id, client, thread, 1);
      case 'release':
        return this.#hold(id, client, thread, -1);
      case 'lend': {
        const ticket = op[2];
        if (entry.tickets.get(ticket) === 'early') entry.tickets.delete(ticket);
        else entry.tickets.set(ticket, 'lent');
        return this.#check(id, entry);
      }
      case 'adopt': {
        const ticket = op[2];
        const state = entry.tickets.get(ticket);
        if (state === undefined) entry.tickets.set(ticket, 'early');
        else entry.tickets.delete(ticket);
        return this.#hold(id, client, thread, 1);
      }
      case 'drop': {
        const ticket = op[2];
        const state = entry.tickets.get(ticket);
        // Never received: its reference goes. Not yet lent or already adopted: nothing to undo.
        if (state === 'lent') entry.tickets.set(ticket, 'dropped');
        else if (state === 'early') entry.tickets.delete(ticket);
        return this.#check(id, entry);
      }
    }
  }

  /** Container `container` stores one more handle of `id` (invariant 5); false if `id` is gone. */
  store(container: number, id: number): boolean {
    if (!this.#entries.has(id)) return false;
    this.#hold(id, HUB, container, 1);
    return true;
  }

  /** Container `container` no longer stores one handle of `id`. */
  unstore(container: number, id: number): void {
    if (this.#entries.has(id)) this.#hold(id, HUB, container, -1);
  }

  /** Lends one reference to `id` under a new hub ticket, for a value the hub hands to a caller; undefined if `id` is gone. */
  lendFromHub(id: number): string | undefined {
    if (!this.#entries.has(id)) return undefined;
    const ticket = `hub:${++this.#hubTickets}`;
    this.apply(HUB, IN_CALL, ['lend', id, ticket]);
    return ticket;
  }

  #hubTickets = 0;

  /** A call on `id` started waiting (true) or stopped (false). */
  waiting(id: number, more: boolean): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    entry.waiting += more ? 1 : -1;
    this.#check(id, entry);
  }

  /** A thread (or, with `thread` undefined, a whole process) ended: its wrappers' references go (invariant 3). */
  gone(client: number, thread: number | undefined): void {
    const threads = this.#byThread.get(client);
    if (threads === undefined) return;
    const ended = thread === undefined ? [...threads.keys()] : [thread];
    for (const t of ended) {
      const held = threads.get(t);
      if (held === undefined) continue;
      threads.delete(t);
      for (const [id, count] of held) {
        const entry = this.#entries.get(id);
        if (entry === undefined) continue;
        entry.holders -= count;
        this.#check(id, entry);
      }
    }
    if (threads.size === 0) this.#byThread.delete(client);
  }

  statistics(): ReferenceStatistics {
    let references = 0;
    let ticketsInFlight = 0;
    for (const entry of this.#entries.values()) {
      references += entry.holders;
      for (const state of entry.tickets.values()) if (state !== 'dropped') ticketsInFlight++;
    }
    return Object.freeze({ objects: this.#entries.size, references, ticketsInFlight });
  }

  #hold(id: number, client: number, thread: number, delta: 1 | -1): void {
    const entry = this.#entries.get(id)!;
    // A release without a matching reference (a wrapper of a thread the hub
    // already counted as ended) changes nothing.
    if (delta < 0 && (this.#byThread.get(client)?.get(thread)?.get(id) ?? 0) === 0) return;
    let threads = this.#byThread.get(client);
    if (threads === undefined) this.#byThread.set(client, (threads = new Map()));
    let held = threads.get(thread);
    if (held === undefined) threads.set(thread, (held = new Map()));
    const count = (held.get(id) ?? 0) + delta;
    if (count === 0) held.delete(id);
    else held.set(id, count);
    if (held.size === 0) threads.delete(thread);
    if (threads.size === 0) this.#byThread.delete(client);
    entry.holders += delta;
    this.#check(id, entry);
  }

  /** Removes the object once nothing names it (invariant 2). */
  #check(id: number, entry: Entry): void {
    if (entry.holders > 0 || entry.waiting > 0) return;
    for (const state of entry.tickets.values()) if (state !== 'dropped') return;
    this.#entries.delete(id);
    this.#remove(id);
  }
}
