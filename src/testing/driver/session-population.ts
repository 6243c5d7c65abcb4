/**
 * A population of sessions for list tests, under one random marker: few distinct times (so ties
 * broken by id are everywhere), optional fields present or absent, metadata values that differ only
 * in JSON type. Every query the tests make is narrowed to the population, by a marker-scoped field
 * or the marker tag, so a shared database answers exactly as an empty one would.
 */
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import type { SessionQuery, SessionRecord, StorageDriver } from '../../driver/driver.js';
import type { SessionOrderBy } from '../../types.js';
import { sessionRecord, uniqueId } from './records.js';

export const ORDERS: readonly SessionOrderBy[] = ['createdAt', 'updatedAt', 'lastActiveAt'];
export const DIRECTIONS = ['asc', 'desc'] as const;

export interface Population {
  marker: string;
  records: SessionRecord[];
  /** The query narrowed to the population: scoped fields carry the marker already, otherwise the marker tag is added. */
  narrow(query: SessionQuery): SessionQuery;
  /** What the query gives over the population, by query-match.ts (the reference every driver agrees with). */
  expected(query: SessionQuery): string[];
}

const TITLES = ['Trip to Lisbon', 'Trip to Porto', 'Tripod', 'trip', '100% sure', '100_ sure', "O'Brien", 'Ünïcode', '\u{10FFFF} last', 'Trip'];

/** `size` sessions written to the driver, one commit each. */
export async function writePopulation(driver: StorageDriver, size: number): Promise<Population> {
  const marker = uniqueId('population');
  const scoped = (name: string) => `${marker}:${name}`;
  const states = ['active', 'suspended', 'expired'] as const;
  const records: SessionRecord[] = [];
  for (let index = 0; index < size; index++) {
    const record = sessionRecord({
      // Ids whose byte order differs from a locale's order ('-', ':', '.', '@', case), so a collation mismatch shows.
      id: `${['s-', 's:', 'S', 's.', 's@'][index % 5]}${String((index * 17) % size).padStart(3, '0')}${index % 3 === 0 ? 'B' : 'a'}-${marker}`,
      // Optional fields are left out (not set to undefined) when absent, as the core writes them.
      ...(index % 3 === 2 ? {} : { userId: scoped(`user-${index % 3}`) }),
      agentId: scoped(`agent-${index % 2}`),
      ...(index % 4 === 0 ? { workspaceId: scoped('workspace') } : {}),
      ...(index % 5 === 0 ? { parentId: scoped('root') } : {}),
      // Titles that are prefixes of one another, with LIKE wildcards, quotes and non-ASCII; every fourth untitled.
      ...(index % 4 === 3 ? {} : { title: TITLES[index % TITLES.length]! }),
      // Every fourth lists runs in flight (one or two), the few a `hasLiveRuns` query finds.
      ...(index % 4 === 1 ? { liveRuns: index % 8 === 1 ? [{ runId: `run-${index}` }] : [{ runId: `run-${index}` }, { runId: `run-${index}b` }] } : {}),
      state: states[index % 3] ?? 'active',
      createdAt: 1_000 + (index % 7),
      // Some times with a fraction of a millisecond, so no backend may round them.
      updatedAt: 2_000 + ((index * 5) % 11) + (index % 8 === 0 ? 0.5 : 0),
      lastActiveAt: 3_000 + (index % 3),
      suspendAt: 4_000 + index,
      expiresAt: 5_000 + (index % 9),
      tags: [marker, ...(index % 2 === 0 ? ['even', `mod3-${index % 3}`] : [`mod3-${index % 3}`])],
      attachedSurfaces: index % 6 === 0 ? ['web', 'slack'] : [],
      metadata: {
        tier: index % 2 === 0 ? 'pro' : 'free',
        rank: index % 9 === 0 ? String(index % 4) : index % 4,
        flag: index % 5 === 0,
        ...(index % 7 === 0 ? { optional: null } : {}),
        ...(index % 10 === 0 ? { list: [index % 4], nested: { rank: 1 } } : {}),
      },
    });
    records.push(record);
    await driver.commit({ sessions: [{ record, expectedVersion: 0 }] });
  }
  const narrow = (query: SessionQuery): SessionQuery =>
    [query.userId, query.agentId, query.workspaceId, query.parentId].some((value) => value?.startsWith(marker))
      ? query
      : { ...query, tags: [marker, ...(query.tags ?? [])] };
  const expected = (query: SessionQuery): string[] =>
    records
      .filter((record) => matchesQuery(record, query) && isAfterCursor(record, query))
      .sort((left, right) => compareForQuery(left, right, query))
      .slice(0, query.limit)
      .map((record) => record.id);
  return { marker, records, narrow, expected };
}

/** The value a keyset position takes from a record, for the query's order. */
export function positionOf(record: SessionRecord, orderBy: SessionOrderBy): { value: number; id: string } {
  return { value: record[orderBy], id: record.id };
}
