/**
 * The published package: what `npm pack` puts in it, and a fresh consumer project that installs the
 * tarball beside the lane's AI SDK major (6 here on Node 20, 7 on the Node 22 lane) with npm's
 * defaults, runs the README's offline agent example and type-checks the README's examples under a
 * strict configuration (NodeNext, exactOptionalPropertyTypes, skipLibCheck false).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installConsumer,
  installedAiMajor,
  packPackage,
  readmeExamples,
  runCommand,
  type ConsumerProject,
  type PackedPackage,
  type ReadmeExample,
} from './fixtures/package-project.js';

interface Manifest {
  bin: Record<string, string>;
  exports: Record<string, string | { types?: string; import?: string }>;
}

let packed: PackedPackage;
/** The tarball unpacked: its manifest and files as a consumer's node_modules gets them. */
let unpacked: string;
let manifest: Manifest;
beforeAll(async () => {
  packed = await packPackage();
  unpacked = mkdtempSync(join(tmpdir(), 'sessionloom-unpacked-'));
  const extracted = await runCommand('tar', ['-xzf', packed.tarball, '-C', unpacked, '--strip-components=1'], { cwd: unpacked });
  expect(extracted.code).toBe(0);
  manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Manifest;
}, 300_000);
afterAll(() => {
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  packed?.remove();
});

describe('the packed package', () => {
  it('ships the build, the README, the license and the manifest, and nothing else', () => {
    expect(packed.files).toContain('LICENSE');
    expect(packed.files).toContain('README.md');
    expect(packed.files).toContain('package.json');
    const outside = packed.files.filter((file) => !file.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(file));
    expect(outside).toEqual([]);
    const strays = packed.files.filter((file) => file.startsWith('dist/') && !file.endsWith('.js') && !file.endsWith('.d.ts'));
    expect(strays).toEqual([]);
  });

  it('has every file its exports and bin name, and a declaration beside every module', () => {
    const targets = [
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.import])),
    ].filter((target): target is string => target !== undefined);
    const missing = targets.map((target) => target.replace(/^\.\//, '')).filter((target) => !packed.files.includes(target));
    expect(missing).toEqual([]);
    const modules = packed.files.filter((file) => file.endsWith('.js'));
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((file) => !packed.files.includes(file.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });

  it('points no source map at a file it does not ship', () => {
    const maps = packed.files.filter((file) => file.endsWith('.map'));
    expect(maps).toEqual([]);
    const referencing = packed.files.filter((file) => /\.(js|d\.ts)$/.test(file) && readFileSync(join(unpacked, file), 'utf8').includes('sourceMappingURL'));
    expect(referencing).toEqual([]);
  });
});

describe(`a consumer project on ai ${installedAiMajor()}`, () => {
  let consumer: ConsumerProject;
  let examples: ReadmeExample[];

  beforeAll(async () => {
    // The README as published, the one a user reads.
    examples = readmeExamples(join(unpacked, 'README.md'));
    consumer = await installConsumer(packed.tarball, installedAiMajor());
    const sources = join(consumer.directory, 'src');
    mkdirSync(sources);
    examples.forEach((example, index) => writeFileSync(join(sources, `readme-${index + 1}-${example.check}.ts`), `${example.code}\n`));
    writeFileSync(
      join(consumer.directory, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          rootDir: 'src',
          outDir: 'out',
        },
        include: ['src'],
      }),
    );
  }, 600_000);
  afterAll(() => {
    if (consumer) rmSync(consumer.directory, { recursive: true, force: true });
  });

  it('installs with npm defaults: no peer conflict, no unreviewed install script', () => {
    const output = consumer.install.stdout + consumer.install.stderr;
    expect(output).not.toMatch(/ERESOLVE|peer dep|allow-scripts|EBADENGINE/i);
    const installed = JSON.parse(readFileSync(join(consumer.directory, 'node_modules', 'ai', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version.split('.')[0]).toBe(String(installedAiMajor()));
    // One copy of the AI SDK: the application's, not one nested under sessionloom.
    expect(() => readFileSync(join(consumer.directory, 'node_modules', 'sessionloom', 'node_modules', 'ai', 'package.json'))).toThrow();
  });

  it("type-checks the README's examples under strict settings, with skipLibCheck off", async () => {
    expect(examples.map((example) => example.check)).toEqual(['type', 'run', 'type']);
    const compiled = await runCommand(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: consumer.directory });
    const diagnostics = (compiled.stdout + compiled.stderr).split('\n').filter((line) => /error TS\d+/.test(line));
    // The AI SDK's own declarations do not pass skipLibCheck: false (they need the DOM library and
    // break under exactOptionalPropertyTypes): those are the SDK's to fix. Ours and the examples must pass.
    const ours = diagnostics.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/sessionloom/'));
    expect(ours).toEqual([]);
    expect(diagnostics.every((line) => line.startsWith('node_modules/'))).toBe(true);
  });

  it("runs the README's offline agent example and prints what its comments say", async () => {
    const index = examples.findIndex((example) => example.check === 'run');
    const run = await runCommand(process.execPath, [join('out', `readme-${index + 1}-run.js`)], { cwd: consumer.directory, timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trimEnd().split('\n')).toEqual(examples[index]!.expectedOutput);
  });
});
