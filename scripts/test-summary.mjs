#!/usr/bin/env node
// Prints vitest's own count of tests as one plain line: "N passed, N failed[, N skipped]".
// Reads the JSON reports written by `npm test` (and by the Node 22 lane); exits 1 when a report is
// missing or unreadable, so a run that crashed before reporting never looks like a pass.
//
//   node scripts/test-summary.mjs [REPORT ...]      (default: reports/vitest.json)
//
// With several reports, each gets a line of its own, then the last line is the sum over all of
// them (a test run in two lanes counts twice: it ran twice).
import { readFileSync } from 'node:fs';

const reportPaths = process.argv.length > 2 ? process.argv.slice(2) : ['reports/vitest.json'];
const totals = { passed: 0, failed: 0, skipped: 0 };
let unreadable = false;

for (const reportPath of reportPaths) {
  let report;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch (error) {
    console.error(`test summary: cannot read ${reportPath}: ${error.message}`);
    unreadable = true;
    continue;
  }
  const counts = {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
  for (const key of Object.keys(totals)) totals[key] += counts[key];
  // A file that failed before running any test (an import error, a crash in a hook) reports no
  // assertions; vitest's numFailedTestSuites also counts every describe block above a failed test.
  const filesNotRun = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  ).length;
  if (filesNotRun > 0) console.error(`(${reportPath}: ${filesNotRun} test files failed before running a test)`);
  if (reportPaths.length > 1) console.log(`  ${reportPath} - ${line(counts)}`);
}

if (unreadable && totals.passed + totals.failed + totals.skipped === 0) process.exit(1);
console.log(line(totals));
if (unreadable) process.exit(1);

function line({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
