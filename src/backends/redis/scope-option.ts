/** The `{ redis }` option every named object of the machine scope takes, checked. */
import { invalidArg } from '../../errors.js';
import { RedisScope } from './scope.js';

export function checkScope(options: unknown): RedisScope {
  const redis = (options as { redis?: unknown } | undefined)?.redis;
  if (!(redis instanceof RedisScope)) {
    throw invalidArg('redis: pass the connection as { redis }, where redis = await connect(options)', 'type');
  }
  redis.checkOpen();
  return redis;
}
