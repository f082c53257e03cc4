/**
 * The hub's state machine of a process-scope `Value`
 * (`multiprocessing.Value`): a `SharedArray` of one element
 * (`shared-array.ts` has the state and the ops; the index is always 0),
 * whose number migrates to the child process using it (`value-ownership.ts`).
 *
 * Created with [typecode, initial]: the value starts at `initial` (wrapped to
 * the type), or 0.
 */
import { checkElement, typeInfo } from '../../runtime/typecodes.js';
import { registerHubKind } from './call.js';
import { HubNumbers } from './shared-array.js';
import { OwnedNumbers } from './value-ownership.js';

registerHubKind('multiprocessing.Value', (args) => {
  const info = typeInfo(args[0]);
  const initial = args[1];
  if (initial === undefined || initial === null) return new OwnedNumbers(new HubNumbers(info, 1));
  checkElement(info, initial, 'initial value');
  return new OwnedNumbers(new HubNumbers(info, [initial as number | bigint]));
});
