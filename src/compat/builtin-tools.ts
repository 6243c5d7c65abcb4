/**
 * `builtinTools`, as the fourth seed (003) hands them to `createSession`: reading, writing and
 * listing files under the process's working directory (a path that leaves it is refused). Plain AI
 * SDK tools; give your own instead for anything else.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ToolSet } from 'ai';
import { z } from 'zod';

function inside(path: string): string {
  const root = process.cwd();
  const target = resolve(root, path);
  const fromRoot = relative(root, target);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) throw new Error(`"${path}" is outside the working directory`);
  return target;
}

export const builtinTools = {
  Read: {
    description: 'Read a text file (path relative to the working directory).',
    inputSchema: z.object({ path: z.string() }),
    execute: async ({ path }: { path: string }) => readFile(inside(path), 'utf8'),
  },
  Write: {
    description: 'Write a text file, creating its directories (path relative to the working directory).',
    inputSchema: z.object({ path: z.string(), content: z.string() }),
    execute: async ({ path, content }: { path: string; content: string }) => {
      const target = inside(path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      return `wrote ${Buffer.byteLength(content)} bytes to ${path}`;
    },
  },
  List: {
    description: 'List a directory (path relative to the working directory; default the directory itself).',
    inputSchema: z.object({ path: z.string().default('.') }),
    execute: async ({ path }: { path: string }) =>
      (await readdir(inside(path), { withFileTypes: true })).map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name)).sort(),
  },
} as unknown as ToolSet;
