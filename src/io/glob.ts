/**
 * Minimal glob matching (Node 20 has no fs.glob): `*`, `?`, `[...]`, `{a,b}` and `**` for any
 * number of directories. Patterns use POSIX separators; matching is on relative POSIX paths.
 */

const GLOB_CHARS = /[*?[{]/;

export function hasGlob(s: string): boolean {
  return GLOB_CHARS.test(s);
}

/**
 * Splits a pattern into its literal directory prefix and the glob remainder:
 * "data/c4/**\/*.jsonl.zst" → ["data/c4", "**\/*.jsonl.zst"].
 */
export function splitGlob(pattern: string): { base: string; rest: string } {
  const segs = pattern.split("/");
  const i = segs.findIndex((s) => hasGlob(s));
  if (i < 0) return { base: pattern, rest: "" };
  const base = segs.slice(0, i).join("/");
  return { base: base === "" && pattern.startsWith("/") ? "/" : base === "" ? "." : base, rest: segs.slice(i).join("/") };
}

/** Compiles a glob (relative, POSIX) to an anchored RegExp over relative POSIX paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let i = 0;
  let braces = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atSegStart = i === 0 || glob[i - 1] === "/";
        const atSegEnd = glob[i + 2] === undefined || glob[i + 2] === "/";
        if (atSegStart && atSegEnd) {
          // "**/" matches zero or more whole directories; a trailing "**" matches anything below.
          if (glob[i + 2] === "/") {
            re += "(?:[^/]+/)*";
            i += 3;
          } else {
            re += ".*";
            i += 2;
          }
          continue;
        }
      }
      re += "[^/]*";
      i++;
    } else if (c === "?") {
      re += "[^/]";
      i++;
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        i++;
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith("!")) body = "^" + body.slice(1);
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = close + 1;
    } else if (c === "{") {
      braces++;
      re += "(?:";
      i++;
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
      i++;
    } else if (c === "," && braces > 0) {
      re += "|";
      i++;
    } else if (c === "\\" && i + 1 < glob.length) {
      re += escapeRe(glob[i + 1]!);
      i += 2;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  if (braces > 0) throw new Error(`glob "${glob}": unclosed "{"`);
  return new RegExp(`^${re}$`);
}

/** Whether the glob can only match paths of a fixed depth (no `**`); returns that depth or -1. */
export function globDepth(glob: string): number {
  if (glob.includes("**") || /\{[^}]*\/[^}]*\}/.test(glob)) return -1;
  return glob.split("/").length;
}

function escapeRe(c: string): string {
  return /[.+^$()|\\/\]{}*?[]/.test(c) ? `\\${c}` : c;
}
