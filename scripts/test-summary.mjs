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
const suiteFailures = report.numFailedTestSuites ?? 0;
let line = `${passed} passed, ${failed} failed`;
if (skipped > 0) line += `, ${skipped} skipped`;
console.log(line);
if (suiteFailures > 0) console.log(`(${suiteFailures} test files failed to run)`);
