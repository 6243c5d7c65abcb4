/**
 * What must happen however a run ends (finished, failed, or Ctrl-C): the private servers stopped
 * (PostgreSQL runs under runuser and would otherwise outlive the bench) and the temporary files
 * removed. Tasks run last-registered first, each once, and one failing does not skip the others.
 */
type Task = () => Promise<void> | void;

const tasks: Task[] = [];
let interrupted = false;

export function atCleanup(task: Task): void {
  tasks.push(task);
}

export async function cleanUp(): Promise<void> {
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    try {
      await task();
    } catch (error) {
      console.error('bench cleanup failed:', error);
    }
  }
}

/** True once Ctrl-C or SIGTERM arrived: the errors that follow (servers gone mid-call) are its echo, not failures. */
export function wasInterrupted(): boolean {
  return interrupted;
}

export function cleanUpOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the bench servers and removing its files`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}
