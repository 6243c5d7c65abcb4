/**
 * Where each record lives in the adapter's key space. A key is `kind~part~part`; parts are ids,
 * percent-encoded when they hold anything outside `[A-Za-z0-9._:@-]` (so `~` only ever separates,
 * and every key is a safe file name). Listing `kind~part~` therefore finds exactly that part's records.
 */

const SAFE_PART = /^[A-Za-z0-9._:@-]+$/;

export function encodePart(part: string): string {
  if (SAFE_PART.test(part)) return part;
  let encoded = '';
  for (const byte of Buffer.from(part, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += byte < 0x80 && /[A-Za-z0-9._:@-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

export function decodePart(part: string): string {
  return decodeURIComponent(part);
}

const key = (...parts: string[]): string => parts.map((part, index) => (index === 0 ? part : encodePart(part))).join('~');

/** The last part of a key under `prefix` (as `list(prefix)` returned it). */
export function lastPart(fullKey: string): string {
  return decodePart(fullKey.slice(fullKey.lastIndexOf('~') + 1));
}

export const keys = {
  /** A session's slot: its record, and the lock of a batch changing it. */
  session: (id: string) => key('session', id),
  sessions: () => 'session~',
  /** A batch in progress: the commit point and what to apply after it. */
  transaction: (id: string) => key('tx', id),
  transactions: () => 'tx~',
  segment: (id: string) => key('segment', id),
  /** Index entries: the segments a session owns, and those continuing a segment. */
  owned: (sessionId: string, segmentId: string) => key('owned', sessionId, segmentId),
  ownedBy: (sessionId: string) => `${key('owned', sessionId)}~`,
  child: (parentId: string, segmentId: string) => key('child', parentId, segmentId),
  childrenOf: (parentId: string) => `${key('child', parentId)}~`,
  /** A message by id (written before the commit point, as a claim on the id). */
  message: (id: string) => key('message', id),
  /** Which message is at `seq` of a segment (written after the commit point: what makes it visible). */
  position: (segmentId: string, seq: number) => key('at', segmentId, String(seq)),
  positionsOf: (segmentId: string) => `${key('at', segmentId)}~`,
  operation: (sessionId: string, operationId: string) => key('operation', sessionId, operationId),
  operationsOf: (sessionId: string) => `${key('operation', sessionId)}~`,
  run: (id: string) => key('run', id),
  runOf: (sessionId: string, runId: string) => key('runs', sessionId, runId),
  runsOf: (sessionId: string) => `${key('runs', sessionId)}~`,
  event: (runId: string, seq: number) => key('event', runId, String(seq)),
  eventsOf: (runId: string) => `${key('event', runId)}~`,
  blob: (hash: string) => key('blob', hash),
  blobs: () => 'blob~',
  checkpoint: (messageId: string) => key('checkpoint', messageId),
  checkpoints: () => 'checkpoint~',
  checkpointOf: (sessionId: string, messageId: string) => key('checkpoints', sessionId, messageId),
  checkpointsOf: (sessionId: string) => `${key('checkpoints', sessionId)}~`,
};
