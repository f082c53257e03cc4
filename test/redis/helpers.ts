/**
 * What the machine-scope tests share: the server (`WEFT_REDIS_URL`, else the
 * local default), a fresh namespace per test so files and reruns never
 * collide, and the removal of its keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { connect, type RedisScope } from '../../src/redis.js';

export const redisUrl = process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A namespace no other test or run uses. */
export function freshNamespace(): string {
  return `test-${randomBytes(6).toString('hex')}`;
}

/**
 * Runs `body` with `n` connections to one fresh namespace (each one an owner,
 * as separate processes would be), then closes them and deletes the
 * namespace's keys, however `body` ends.
 */
export async function withScopes<R>(n: number, body: (scopes: RedisScope[], namespace: string) => Promise<R>, options: { lease?: number } = {}): Promise<R> {
  const namespace = freshNamespace();
  const scopes: RedisScope[] = [];
  try {
    for (let i = 0; i < n; i++) scopes.push(await connect({ url: redisUrl, namespace, ...options }));
    return await body(scopes, namespace);
  } finally {
    for (const scope of scopes) await scope.close();
    await dropNamespace(namespace);
  }
}

/** Deletes every key of `namespace`. */
export async function dropNamespace(namespace: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    const keys = await client.sendCommand<string[]>(['KEYS', `weft:{${namespace}}:*`]);
    if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
  } finally {
    client.destroy();
  }
}

/** Resolves once `check()` holds, re-reading the state the server reports (no sleeps: each turn is one round trip). */
export async function until(check: () => Promise<boolean>, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) if (await check()) return;
  throw new Error(`never saw: ${what}`);
}
