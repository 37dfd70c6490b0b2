/**
 * Keeping secrets out of logs, errors, reports and caches. One helper for every backend that
 * talks to a server (embedders, language models, Redis): API keys from the environment, and
 * credentials written into URLs (`https://user:pass@host`, `?api_key=...`).
 *
 * Order matters: callers redact the whole text first and only then truncate it for display, so
 * a secret cut in half by truncation can never leak its first half.
 */

export const REDACTED = "[redacted]";

/** Environment variables whose values are secrets wherever they appear. */
export const SECRET_ENV_VARS = ["DATATAILOR_OPENAI_API_KEY", "OPENAI_API_KEY", "DATATAILOR_API_KEY", "HF_TOKEN"] as const;

/** Query parameters that carry credentials in URLs. */
const SECRET_PARAMS = /^(api[-_]?key|key|token|access[-_]?token|auth|password|secret|sig|signature)$/i;

/** Secrets shorter than this are not redacted as plain substrings (they would mangle ordinary text). */
const MIN_SECRET = 4;

/** The values of the secret environment variables that are set. */
export function envSecrets(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const k of SECRET_ENV_VARS) {
    const v = env[k];
    if (v && v.length >= MIN_SECRET) out.push(v);
  }
  return out;
}

/** Every spelling of a secret that a server may echo back: raw, URL-encoded (both forms), JSON-escaped, Base64. */
function spellings(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, "+"));
  forms.add(encodeURI(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(Buffer.from(secret).toString("base64").replace(/=+$/, ""));
  // Lower-case percent escapes (%2f rather than %2F) are valid too.
  for (const f of [...forms]) if (/%[0-9A-F]{2}/.test(f)) forms.add(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  return [...forms].filter((f) => f.length >= MIN_SECRET).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence (in any spelling) of each secret with [redacted]. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET) continue;
    for (const f of spellings(s)) if (out.includes(f)) out = out.split(f).join(REDACTED);
  }
  return out;
}

/**
 * A URL with its credentials removed: `user:pass@` becomes `[redacted]@` (the user name can be a
 * key too, as in `https://sk-...@host`), and secret-looking query parameters lose their values.
 * Text that is not a URL comes back unchanged.
 */
export function redactUrl(url: string): string {
  let out = url.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/gi, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  out = out.replace(/([?&;])([^=&#;\s]+)=([^&#;\s]*)/g, (m, sep: string, name: string) => (SECRET_PARAMS.test(safeDecode(name)) ? `${sep}${name}=${REDACTED}` : m));
  return out;
}

/** True when the URL carries credentials that redactUrl would remove. */
export function urlHasCredentials(url: string): boolean {
  return redactUrl(url) !== url;
}

/** Redacts every URL inside free text (error messages, log lines, HTML). */
export function redactUrlsIn(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (u) => redactUrl(u));
}

/** Everything at once: URL credentials, then the given secrets, then the environment's. */
export function redact(text: string, secrets: Iterable<string | undefined> = [], env: Record<string, string | undefined> = process.env): string {
  return redactSecrets(redactSecrets(redactUrlsIn(text), secrets), envSecrets(env));
}

/** Redacts first, then truncates to `max` characters (never the other way round). */
export function redactAndTruncate(text: string, max: number, secrets: Iterable<string | undefined> = [], env?: Record<string, string | undefined>): string {
  const clean = redact(text, secrets, env);
  return clean.length > max ? clean.slice(0, max) + "…" : clean;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
