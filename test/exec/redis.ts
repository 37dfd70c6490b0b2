/**
 * A real redis-server for queue tests: Debian's binary on a free loopback port, no persistence,
 * started as a child process and stopped by its own pid (never by name).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { hasTool, requireTool } from "../helpers/system.js";

export const REDIS_SERVER = "/usr/bin/redis-server";

export function redisAvailable(): boolean {
  return requireTool("redis-server", hasTool(REDIS_SERVER));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export class RedisServer {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), "dt-redis-"));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const pidfile = path.join(this.dir, "redis.pid");
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--pidfile", pidfile, "--dir", this.dir];
    const child = spawn(REDIS_SERVER, args, { stdio: "ignore" });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error("redis-server did not start in 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    // The pidfile names the process we started; cross-check so we never signal a stranger.
    try {
      const filePid = Number(readFileSync(pidfile, "utf8").trim());
      if (filePid && filePid !== child.pid) throw new Error(`redis pidfile says ${filePid}, we started ${child.pid}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    process.kill(child.pid, "SIGKILL");
    await exited;
  }
}

export async function startRedis(): Promise<RedisServer> {
  const r = new RedisServer(await freePort());
  await r.start();
  return r;
}
