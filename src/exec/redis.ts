/**
 * Redis connections for the queue executor. Long-lived connections retry forever
 * (`maxRetriesPerRequest: null`, as BullMQ requires for workers) so a Redis restart mid-run is
 * survived; the start-up probe does not retry, so an unreachable Redis is one clear error.
 */
import { Redis, type RedisOptions } from "ioredis";
import { UserError } from "../util/errors.js";

export const DEFAULT_QUEUE = "datatailor";

/** Hides a password in a Redis URL before it is printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, "//$1:***@");
}

export function parseRedisUrl(url: string): string {
  if (!/^rediss?:\/\//.test(url)) throw new UserError(`--redis must be a redis:// or rediss:// URL, got '${url}'`, 2);
  try {
    new URL(url);
  } catch {
    throw new UserError(`--redis: cannot parse URL '${redactUrl(url)}'`, 2);
  }
  return url;
}

export function connect(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // Reconnect quickly after a restart, but never hammer a dead server.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...extra,
  });
}

/** Connects once and pings; throws a one-line UserError naming the URL when Redis is unreachable. */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let cause: Error | undefined;
  client.on("error", (err: Error) => (cause ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const e = (cause ?? err) as Error & { code?: string };
    const msg = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message || String(e);
    throw new UserError(`cannot reach Redis at ${redactUrl(url)}: ${msg}`);
  } finally {
    client.disconnect();
  }
}
