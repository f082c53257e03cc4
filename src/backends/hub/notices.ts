/**
 * How a state machine in the hub speaks to a process first, not in answer
 * to a call: the grant messages of a process-scope Lock/RLock (`lock.ts`,
 * `grants.ts`). The hub's core installs the sink (`hub.ts`): a notice goes
 * out on the client's connection, after the answers already given and
 * before any given after, so a `grant` reaches the process before the
 * answer it comes with.
 */
import type { GrantNotice } from './protocol.js';

/** The `ref` of a grantee's `report` sent because its cell's waiter count changed (`probe: 'watch'`), not in answer to a probe. */
export const WATCH = -1;

let sink: (client: number, notice: GrantNotice) => void = () => {};

/** Called by the hub's core only. */
export function setNoticeSink(deliver: (client: number, notice: GrantNotice) => void): void {
  sink = deliver;
}

/** Sends `notice` to process `client` (dropped if it is gone: the core cleans up after it). */
export function tellClient(client: number, notice: GrantNotice): void {
  sink(client, notice);
}
