/**
 * Progress for long work: a bar with rate and ETA on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes). Always on stderr so --json output stays clean.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** Adds n finished units. */
  tick(n?: number): void;
  /** Sets the total when it becomes known (or changes). */
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  unit: string;
  total?: number;
  /** Force-disable (e.g. --quiet or under tests). */
  enabled?: boolean;
  /** Seconds between plain lines when stderr is not a terminal. */
  intervalS?: number;
  stream?: NodeJS.WriteStream;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "-";
  if (perSecond >= 1e6) return (perSecond / 1e6).toFixed(2) + "M";
  if (perSecond >= 1e3) return (perSecond / 1e3).toFixed(1) + "k";
  return perSecond.toFixed(1);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? process.env.DATATAILOR_NO_PROGRESS === undefined;
  let total = opts.total ?? 0;
  let done = 0;
  const start = Date.now();
  if (!enabled) return { tick: (n = 1) => void (done += n), setTotal: (t) => void (total = t), stop: () => {} };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        // With no total yet (a first pass over a corpus of unknown size), a count and a rate, not "n/0".
        format: total > 0 ? `${opts.label} [{bar}] {percentage}% | {value}/{total} ${opts.unit} | {rate} ${opts.unit}/s | ETA {eta_formatted}` : `${opts.label} {value} ${opts.unit} | {rate} ${opts.unit}/s | {duration_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: "-" });
    return {
      tick(n = 1) {
        done += n;
        const el = (Date.now() - start) / 1000;
        bar.update(done, { rate: formatRate(done / Math.max(el, 1e-9)) });
      },
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      stop() {
        bar.stop();
      },
    };
  }

  const intervalMs = (opts.intervalS ?? 10) * 1000;
  let last = start;
  const line = (final: boolean) => {
    const el = (Date.now() - start) / 1000;
    const rate = done / Math.max(el, 1e-9);
    const pct = total > 0 ? ` (${((100 * done) / total).toFixed(1)}%)` : "";
    const eta = total > 0 && !final ? ` ETA ${formatDuration((total - done) / rate)}` : "";
    stream.write(`${opts.label}: ${done}${total > 0 ? "/" + total : ""} ${opts.unit}${pct} ${formatRate(rate)} ${opts.unit}/s${eta}${final ? ` in ${formatDuration(el)}` : ""}\n`);
  };
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        line(false);
      }
    },
    setTotal(t) {
      total = t;
    },
    stop() {
      line(true);
    },
  };
}
