/**
 * Loads `@redis/client` on first use, so that no other entry point pays for
 * it. Through weft's own `import()` (`internal/dynamic-import.ts`): from the
 * package, weft runs as a cached script whose bare `import()` Node cannot serve.
 */
import { importModule } from '../../internal/dynamic-import.js';

export type RedisClientModule = typeof import('@redis/client');

export async function loadRedisClient(): Promise<RedisClientModule> {
  return (await importModule('@redis/client')) as unknown as RedisClientModule;
}
