/**
 * The house rules, checked on every run: the core is handed a driver and imports none, no import
 * circles anywhere in src/ (type-only imports included), and no source file over 400 lines.
 * dependency-cruiser reads the real import graph (TypeScript resolution, as the compiler sees it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

const rules: IForbiddenRuleType[] = [
  { name: 'no-circular', severity: 'error', from: { path: '^src' }, to: { circular: true } },
  {
    name: 'core-builds-no-driver',
    comment: 'The core (src/session) is handed a driver: it imports no driver, agent, transfer or wiring code.',
    severity: 'error',
    from: { path: '^src/session/' },
    to: { path: '^src/(drivers|agent|transfer|stores|cli|server|adapters|testing)/|^src/(index|session-store)\\.ts$' },
  },
  {
    name: 'contract-stands-alone',
    comment: 'The driver contract (src/driver) and shared pieces (src/common) import only each other and the errors.',
    severity: 'error',
    from: { path: '^src/(driver|common)/' },
    to: { path: '^src/', pathNot: '^src/(driver|common)/|^src/(errors|types)\\.ts$' },
  },
  {
    name: 'drivers-know-no-sessions',
    comment: 'Drivers store records; session semantics live in the core.',
    severity: 'error',
    from: { path: '^src/drivers/' },
    to: { path: '^src/(session|agent|transfer|stores|cli|server|adapters)/' },
  },
];

let result: ICruiseResult;

beforeAll(async () => {
  const cruised = await cruise(['src'], {
    baseDir: root,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    ruleSet: { forbidden: rules },
    validate: true,
  });
  result = cruised.output as ICruiseResult;
}, 120_000);

describe('architecture', () => {
  for (const rule of rules) {
    it(`holds: ${rule.name}`, () => {
      const violations = result.summary.violations
        .filter((violation) => violation.rule.name === rule.name)
        .map((violation) => (violation.cycle ? violation.cycle.map((step) => step.name).join(' -> ') : `${violation.from} -> ${violation.to}`));
      expect(violations).toEqual([]);
    });
  }

  it('sees the whole source tree (the rules above are not vacuous)', () => {
    const modules = result.modules.filter((module) => module.source.startsWith('src/'));
    expect(modules.length).toBeGreaterThan(200);
    const store = modules.find((module) => module.source === 'src/session/store.ts');
    expect(store?.dependencies.some((dependency) => dependency.resolved === 'src/session/fork.ts')).toBe(true);
  });

  it('keeps every source file at 400 lines or fewer', () => {
    const tooLong: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          const lines = readFileSync(path, 'utf8').split('\n').length;
          if (lines > 400) tooLong.push(`${relative(root, path)}: ${lines} lines`);
        }
      }
    };
    walk(join(root, 'src'));
    expect(tooLong).toEqual([]);
  });
});
