#!/usr/bin/env node
// Prints vitest's own count of tests as one plain line: "N passed, N failed[, N skipped]".
// Reads the JSON report written by `npm test`; exits 1 when the report is missing or unreadable,
// so a run that crashed before reporting never looks like a pass.
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.error(`test summary: cannot read ${reportPath}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A file that failed before running any test (an import error, a crash in a hook) reports no
// assertions; vitest's numFailedTestSuites also counts every describe block above a failed test.
const filesNotRun = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
).length;
let line = `${passed} passed, ${failed} failed`;
if (skipped > 0) line += `, ${skipped} skipped`;
console.log(line);
if (filesNotRun > 0) console.error(`(${filesNotRun} test files failed before running a test)`);
