/**
 * A progress bar for long work (export, import, migrate), on stderr so it never mixes with the
 * data or the JSON document on stdout. Drawn only when stderr is a terminal: piped into a file or
 * a CI log, a bar is just noise (and escape codes), so there it draws nothing at all.
 */
import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** `value` of `total` done. The bar appears on the first call, once the total is known. */
  update(value: number, total: number): void;
  /** Takes the bar off the screen; safe to call when nothing was drawn, and more than once. */
  stop(): void;
}

const SILENT: ProgressBar = { update: () => {}, stop: () => {} };

/**
 * Updates closer together than this are skipped (the bar redraws at 10 fps anyway): an import reports
 * every line, and cli-progress estimates the ETA from its last `etaBuffer` updates, which a burst of
 * microseconds apart turns into nonsense. 30 updates 100 ms apart: the rate over the last 3 s.
 */
const UPDATE_INTERVAL_MS = 100;
const ETA_UPDATES = 30;

/** A bar reading `label [████░░░░] 40% | 1,200/3,000 unit | ETA 5s`. */
export function startProgressBar(label: string, unit: string): ProgressBar {
  if (process.stderr.isTTY !== true) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted}`,
      formatValue: groupThousands,
      etaBuffer: ETA_UPDATES,
      // The summary printed afterwards says what the finished bar would; a cleared bar leaves the screen tidy.
      clearOnComplete: true,
      // cli-progress would otherwise listen for SIGINT to tidy the bar, and a SIGINT listener stops
      // Node from exiting on Ctrl-C: a long export could no longer be interrupted.
      gracefulExit: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let drawn = false;
  let updatedAt = 0;
  return {
    update(value, total) {
      const now = Date.now();
      if (!drawn) {
        bar.start(total, value);
        drawn = true;
        updatedAt = now;
        return;
      }
      // The last update always goes through, so the bar ends at 100%.
      if (now - updatedAt < UPDATE_INTERVAL_MS && value < total) return;
      updatedAt = now;
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(value);
    },
    stop() {
      if (drawn) bar.stop();
      drawn = false;
    },
  };
}

/** 3,401 rather than 3401 for counts; percentages and times as cli-progress formats them. */
const groupThousands: cliProgress.ValueFormatter = (value, options, type) =>
  type === 'value' || type === 'total' ? value.toLocaleString('en-US') : cliProgress.Format.ValueFormat(value, options, type);
