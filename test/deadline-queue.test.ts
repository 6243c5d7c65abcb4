import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../src/driver/deadline-queue.js';
import { withDeadline } from '../src/driver/deadline.js';
import { StoreUnavailableError } from '../src/errors.js';
import { MemoryDriver } from '../src/drivers/memory.js';

const never = () => new Promise<never>(() => {});
const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('DeadlineQueue', () => {
  it('fails a call still running at its deadline, and only that one', async () => {
    const queue = new DeadlineQueue(60);
    const expired = new Error('expired');
    const hung = queue.race(never, () => expired);
    const quick = queue.race(() => later('quick', 5), () => new Error('not this one'));
    const slowButInTime = queue.race(() => later('in time', 30), () => new Error('not this one'));
    await expect(quick).resolves.toBe('quick');
    await expect(slowButInTime).resolves.toBe('in time');
    await expect(hung).rejects.toBe(expired);
  });

  it('gives each of many calls its own deadline, measured from when it was made', async () => {
    const queue = new DeadlineQueue(50);
    const first = queue.race(never, () => new Error('first'));
    await later(undefined, 30);
    const second = queue.race(never, () => new Error('second'));
    const started = performance.now();
    await expect(first).rejects.toThrow('first');
    // The second was made 30 ms after the first: it must not expire with it.
    let secondSettled = false;
    void second.catch(() => (secondSettled = true));
    await later(undefined, 5);
    expect(secondSettled).toBe(false);
    await expect(second).rejects.toThrow('second');
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
  });

  it('passes results and errors through, including a call that throws before returning a promise', async () => {
    const queue = new DeadlineQueue(1_000);
    await expect(queue.race(async () => 42, () => new Error('late'))).resolves.toBe(42);
    const failure = new Error('backend said no');
    await expect(queue.race(() => Promise.reject(failure), () => new Error('late'))).rejects.toBe(failure);
    await expect(queue.race(() => { throw failure; }, () => new Error('late'))).rejects.toBe(failure);
  });

  it('keeps thousands of sequential calls working, with the queue emptied as they settle', async () => {
    const queue = new DeadlineQueue(1_000);
    let total = 0;
    for (let index = 0; index < 5_000; index += 1) total += await queue.race(async () => index, () => new Error('late'));
    expect(total).toBe((4_999 * 5_000) / 2);
    const concurrent = await Promise.all(Array.from({ length: 3_000 }, (_, index) => queue.race(() => later(index, index % 7), () => new Error('late'))));
    expect(concurrent[2_999]).toBe(2_999);
  });

  it('does not hold a process open once its calls have settled', () => {
    const moduleUrl = new URL('../src/driver/deadline-queue.ts', import.meta.url).href;
    const source = `
      const { DeadlineQueue } = await import(${JSON.stringify(moduleUrl)});
      const queue = new DeadlineQueue(60_000);
      console.log(await queue.race(async () => 'answered', () => new Error('late')));`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', source], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stdout.trim()).toBe('answered');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('withDeadline', () => {
  it('turns a driver call that hangs into StoreUnavailableError naming the store and the call', async () => {
    const driver = new MemoryDriver();
    const hanging = Object.assign(Object.create(Object.getPrototypeOf(driver) as object) as MemoryDriver, driver, { getSession: never });
    const wrapped = withDeadline(hanging, 40);
    const failure = await wrapped.getSession('ses_x').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toContain('did not answer getSession within 40 ms');
    // The others still answer.
    await expect(wrapped.listSessions({ orderBy: 'createdAt', order: 'desc', limit: 1 } as never)).resolves.toEqual([]);
  });
});
