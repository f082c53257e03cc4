/**
 * The symbol of a process-scope object's id in the hub: for `weft/testing`,
 * for a Condition to name its lock, and for scope checks (an object with a
 * numeric id is process-scope).
 */

/** Getter returning the object's id in the hub. */
export const kHubId = Symbol.for('weft.hubId');

export interface HubBacked {
  readonly [kHubId]: number;
}

export function isHubBacked(value: unknown): value is HubBacked {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HubBacked>)[kHubId] === 'number';
}
