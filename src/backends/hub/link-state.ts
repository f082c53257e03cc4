/**
 * A process's way to the hub, in one word of its arena (`Header.HubLink`),
 * so that every thread of the process sees it:
 *
 * | value    | meaning                                                      |
 * |----------|--------------------------------------------------------------|
 * | None     | nobody has started the hub (root) or the link (child) yet    |
 * | Starting | a thread won the compare-and-swap and is starting it          |
 * | Ready    | requests posted on the process's request channel are served  |
 * | Lost     | the hub is gone (or could not be reached): `ERR_HUB_LOST`     |
 *
 * None → Starting by compare-and-swap (exactly one starter); Starting →
 * Ready | Lost by the hub's or link's thread; Ready → Lost by the link when
 * its connection drops. Lost is final.
 *
 * Only facts move a process to Lost (`tree.ts`): a socket that is missing
 * or refuses, a connection closed after the welcome, a refused token, the
 * hub's or link's thread failing or exiting. Never a clock: Starting lasts
 * as long as the machine needs.
 */
export const LinkState = {
  None: 0,
  Starting: 1,
  Ready: 2,
  Lost: 3,

  set(words: Int32Array, index: number, state: 2 | 3): void {
    Atomics.store(words, index, state);
    Atomics.notify(words, index);
  },
} as const;
