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

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** An error that says the connection to Redis failed (rather than a command). */
export function isConnectionError(err: Error & { code?: string }): boolean {
  return (err.code !== undefined && CONNECTION_CODES.has(err.code)) || /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE/.test(err.message);
}

/**
 * Logs a Redis outage without flooding: the first failure at once, then one line a minute with
 * the number of failed attempts since the last line, and the reconnection with the outage's
 * length. (A client retries every second or two, which logged 30+ lines a minute.)
 */
export class OutageLog {
  private since: number | undefined;
  private lastLine = 0;
  private failures = 0;

  constructor(
    private readonly what: string,
    private readonly log: (m: string) => void,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get down(): boolean {
    return this.since !== undefined;
  }

  /** Milliseconds since the outage began (0 when connected). */
  get downFor(): number {
    return this.since === undefined ? 0 : this.now() - this.since;
  }

  failure(err: Error): void {
    const t = this.now();
    if (this.since === undefined) {
      this.since = t;
      this.lastLine = t;
      this.failures = 0;
      this.log(`${this.what} (${err.message}); reconnecting`);
      return;
    }
    this.failures++;
    if (t - this.lastLine >= this.everyMs) {
      this.log(`still no Redis after ${Math.round((t - this.since) / 1000)} s: ${this.failures} failed attempt(s) in the last ${Math.round((t - this.lastLine) / 1000)} s (${err.message})`);
      this.lastLine = t;
      this.failures = 0;
    }
  }

  /** Connected again: returns the outage's length in ms, or undefined when there was none. */
  recovered(): number | undefined {
    if (this.since === undefined) return undefined;
    const ms = this.now() - this.since;
    this.since = undefined;
    return ms;
  }
}
