/**
 * Run signals inside one process: who watches which run, and calling them. The memory driver's
 * signals are only this; the store also uses it so a follower in the writer's own process wakes at
 * once on every backend, polled ones included.
 */
export class LocalRunSignals {
  private readonly watchers = new Map<string, Set<() => void>>();

  /** Calls every watcher of the run. A watcher that throws does not keep the others from hearing it. */
  signal(runId: string): void {
    for (const watcher of [...(this.watchers.get(runId) ?? [])]) {
      try {
        watcher();
      } catch {
        // A wake-up is a hint; the watcher's own reads report its problems.
      }
    }
  }

  /** Starts calling `onSignal` on the run's signals; the returned function stops it. */
  watch(runId: string, onSignal: () => void): () => void {
    let watchers = this.watchers.get(runId);
    if (!watchers) this.watchers.set(runId, (watchers = new Set()));
    // A wrapper, so the same function watching twice is two watches, each stopped on its own.
    const watcher = () => onSignal();
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && this.watchers.get(runId) === watchers) this.watchers.delete(runId);
    };
  }
}
