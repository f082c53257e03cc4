/**
 * The hub's state machine of a managed `Namespace`
 * (`multiprocessing.Manager().Namespace()`): its attributes are a `dict.ts`
 * dict (name → encoded value), with the same ops and the same atomicity;
 * only the client (`multiprocessing/namespace.ts`) differs, giving them
 * attribute syntax.
 *
 * Created with [managerId, entries?], as a dict.
 */
import { registerHubKind } from './call.js';
import { checkEntries, HubDict } from './dict.js';

export const NAMESPACE_KIND = 'multiprocessing.managers.Namespace';

registerHubKind(NAMESPACE_KIND, (args) => new HubDict(args[0], args[1] === undefined ? [] : checkEntries(args[1])));
