// The registry this project installs from serves only the Linux builds of packages that ship
// per-platform binaries, so `npm install` leaves the other platforms' optional packages out of
// package-lock.json, and `npm ci` then refuses the lock as out of sync. This adds a lock entry
// (name, version, os/cpu/libc, optional) for each missing platform package; npm skips them on
// a non-matching machine without fetching anything. Run after any `npm install`.
import { readFileSync, writeFileSync } from "node:fs";
import { URL } from "node:url";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const pkgs = lock.packages;

function platformOf(name) {
  const tail = name.split("/").pop();
  const parts = tail.split("-");
  const out = {};
  for (const os of ["darwin", "linux", "win32", "freebsd", "android"]) if (parts.includes(os)) out.os = [os];
  for (const cpu of ["arm64", "x64", "arm", "ia32", "ppc64", "s390x", "riscv64"]) if (parts.includes(cpu)) out.cpu = [cpu];
  if (parts.includes("musl")) out.libc = ["musl"];
  else if (out.os?.[0] === "linux") out.libc = ["glibc"];
  return out;
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (pkgs[at]) continue;
    const plat = platformOf(dep);
    if (!plat.os || !plat.cpu) continue; // not a platform package: leave it to npm
    pkgs[at] = { version: range, ...plat, optional: true };
    added++;
  }
  void key;
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(`lock-platforms: added ${added} platform entries`);
