import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, symlinkSync, readFileSync, existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalStorage, openStorage, resolveInside, safeRelPath, UnsafePathError } from "../../src/io/storage.js";

describe("storage path safety", () => {
  it.each(["/etc/passwd", "../x", "a/../../x", "a/..", "C:/x", "a\\..\\x", "", "a//b", "./a", "a\0b"])("rejects %j", (rel) => {
    expect(() => safeRelPath(rel)).toThrow(UnsafePathError);
    expect(() => resolveInside("/tmp/root", rel)).toThrow(UnsafePathError);
  });

  it("accepts ordinary nested relative paths", () => {
    expect(resolveInside("/tmp/root", "a/b.c/d.jsonl")).toBe(path.join("/tmp/root", "a", "b.c", "d.jsonl"));
    expect(safeRelPath("..hidden/x..y")).toBe("..hidden/x..y");
  });

  it("refuses to read or write through a symlink that leaves the root", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), "dt-storage-"));
    const root = path.join(base, "root");
    const outside = path.join(base, "outside");
    mkdirSync(root);
    mkdirSync(outside);
    symlinkSync(outside, path.join(root, "escape"));
    const s = new LocalStorage(root);
    await expect(s.writeAtomic("escape/pwned.txt", "x")).rejects.toThrow(/symlink outside/);
    await expect(s.exists("escape/anything")).rejects.toThrow(/symlink outside/);
    expect(readdirSync(outside)).toEqual([]);
    // A symlink that stays inside is fine.
    mkdirSync(path.join(root, "real"));
    symlinkSync(path.join(root, "real"), path.join(root, "alias"));
    await s.writeAtomic("alias/ok.txt", "ok");
    expect(readFileSync(path.join(root, "real", "ok.txt"), "utf8")).toBe("ok");
  });

  it("writes atomically, lists, renames and removes", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dt-storage-"));
    const s = new LocalStorage(root);
    await s.writeAtomic("a/b/one.txt", "1");
    const w = await s.openAtomic("a/two.txt");
    w.stream.write("partial");
    expect(existsSync(path.join(root, "a/two.txt"))).toBe(false);
    expect(await s.list()).toHaveLength(2); // final one.txt + the temporary
    await w.commit();
    expect(await s.list()).toEqual(["a/b/one.txt", "a/two.txt"]);
    await s.rename("a/two.txt", "c/three.txt");
    expect((await s.readFile("c/three.txt")).toString()).toBe("partial");
    const w2 = await s.openAtomic("c/aborted.txt");
    w2.stream.write("x");
    await w2.abort();
    await s.remove("a");
    expect(await s.list()).toEqual(["c/three.txt"]);
  });

  it("opens local paths and file URLs, and names unsupported schemes", () => {
    expect(openStorage("/tmp/x").location).toBe("/tmp/x");
    expect(openStorage("file:///tmp/y").location).toBe("/tmp/y");
    expect(() => openStorage("s3://bucket/prefix")).toThrow(/scheme 's3' is not supported/);
  });
});
