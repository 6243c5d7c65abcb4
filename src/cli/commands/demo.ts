/**
 * `sessionloom demo`: a scripted, offline tour of what the library does (a scripted model, no
 * network). An agent answers through `Runner` (calling a tool once), so every turn is also a
 * recorded run; then the demo closes the store and resumes the conversation from a new store
 * object (what a user coming back tomorrow gets), forks it to try another direction, and rewinds
 * the original.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import { Runner } from '../../agent/runner.js';
import type { StoredMessage } from '../../types.js';
import { createTravelAgent, QUESTIONS } from '../demo/travel-agent.js';
import { plural, previewMessage, printJson, printLines, truncate, wantsJson } from '../output.js';
import { closeStore, openStore, resolveStoreUrl, suggestCommand } from '../store-url.js';
import { type ForkTree, loadForkTree, renderForkTree } from './tree.js';

/** The answer the fork starts from: message 4, the weather report after the tool call. */
const FORK_POINT_INDEX = 3;
/** Where the rewind takes the original back to: message 6, before the second visit's turn. */
const REWIND_POINT_INDEX = 5;

interface CreateStep {
  step: 'create';
  sessionId: string;
  /** The agent runs that wrote the step's messages (`sessionloom replay RUN`). */
  runIds: string[];
  appendedMessages: number;
  messageCount: number;
}

interface ResumeStep {
  step: 'resume';
  sessionId: string;
  runIds: string[];
  /** False only for `memory:`, whose sessions do not outlive the store object. */
  reopenedStore: boolean;
  messagesReadBack: number;
  /** Whether what was read back is deep-equal to what was written. */
  identical: boolean;
  appendedMessages: number;
  messageCount: number;
}

interface ForkStep {
  step: 'fork';
  sourceId: string;
  runIds: string[];
  forkId: string;
  fromMessageId: string;
  messageCountAtFork: number;
  appendedMessages: number;
  messageCount: number;
  sourceMessageCount: number;
}

interface RewindStep {
  step: 'rewind';
  sessionId: string;
  toMessageId: string;
  removedMessages: number;
  messageCount: number;
}

type DemoStep = CreateStep | ResumeStep | ForkStep | RewindStep;

interface DemoReport {
  store: string;
  sessionId: string;
  forkId: string;
  /** The first run: the one that called a tool, the most telling to replay. */
  runId: string;
  steps: DemoStep[];
  tree: ForkTree;
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('an offline scripted agent conversation showing runs, resume, fork and rewind on the store')
    .action(async (_options: unknown, command: Command) => {
      const json = wantsJson(command);
      const url = resolveStoreUrl(command);
      if (!json) printLines(`sessionloom demo on ${url} (scripted and offline: a scripted model, no network)`, '');
      const report = await runDemo(command, url, json ? () => {} : (step, messages) => printLines(...describeStep(step, messages), ''));
      if (json) {
        printJson(report);
        return;
      }
      const tree = renderForkTree(report.tree).map((line) => (line === '' ? line : `  ${line}`));
      printLines('Fork tree:', ...tree, '', ...explorationHints(command, report));
    });
}

type StepListener = (step: DemoStep, messages: StoredMessage[]) => void;

async function runDemo(command: Command, url: string, onStep: StepListener): Promise<DemoReport> {
  const agent = createTravelAgent();
  let store = await openStore(command, url);
  try {
    const steps: DemoStep[] = [];
    const record = (step: DemoStep, messages: StoredMessage[]): void => {
      steps.push(step);
      onStep(step, messages);
    };

    const session = await store.create({ userId: 'demo-user', agentId: 'travel-assistant', tags: ['demo'], metadata: { source: 'sessionloom demo' } });
    const weather = await Runner.run(agent, { input: QUESTIONS.weather, session: { store, resume: session.id } });
    const packing = await Runner.run(agent, { input: QUESTIONS.packing, session: { store, resume: session.id } });
    const written = [...weather.messages, ...packing.messages];
    record({ step: 'create', sessionId: session.id, runIds: [weather.runId, packing.runId], appendedMessages: written.length, messageCount: written.length }, written);

    // A new store object on the same URL, as a process started tomorrow would have. A memory:
    // store cannot do this (its sessions live in the object), so it keeps the one it has.
    const reopenedStore = store.backend !== 'memory';
    if (reopenedStore) {
      await closeStore(store);
      store = await openStore(command, url);
    }
    const readBack = await store.getMessages(session.id);
    const tomorrow = await Runner.run(agent, { input: QUESTIONS.tomorrow, session: { store, resume: session.id } });
    record(
      {
        step: 'resume',
        sessionId: session.id,
        runIds: [tomorrow.runId],
        reopenedStore,
        messagesReadBack: readBack.length,
        identical: isDeepStrictEqual(readBack, written),
        appendedMessages: tomorrow.messages.length,
        messageCount: readBack.length + tomorrow.messages.length,
      },
      readBack,
    );

    const forkPoint = messageAt(written, FORK_POINT_INDEX);
    const porto = await Runner.run(agent, {
      input: QUESTIONS.porto,
      session: { store, fork: { from: session.id, fromMessage: forkPoint.id }, metadata: { direction: 'Porto instead of Lisbon' } },
    });
    const fork = await store.get(porto.sessionId);
    const source = await store.get(session.id);
    const forkMessageCount = fork?.messageCount ?? 0;
    record(
      {
        step: 'fork',
        sourceId: session.id,
        runIds: [porto.runId],
        forkId: porto.sessionId,
        fromMessageId: forkPoint.id,
        messageCountAtFork: forkMessageCount - porto.messages.length,
        appendedMessages: porto.messages.length,
        messageCount: forkMessageCount,
        sourceMessageCount: source?.messageCount ?? 0,
      },
      [forkPoint, ...porto.messages],
    );

    const rewindPoint = messageAt(written, REWIND_POINT_INDEX);
    const rewound = await store.rewind(session.id, { toMessage: rewindPoint.id });
    record(
      {
        step: 'rewind',
        sessionId: session.id,
        toMessageId: rewindPoint.id,
        removedMessages: rewound.removedMessages,
        messageCount: rewound.session.messageCount,
      },
      [rewindPoint],
    );

    return { store: url, sessionId: session.id, forkId: porto.sessionId, runId: weather.runId, steps, tree: await loadForkTree(store, session.id) };
  } finally {
    await closeStore(store);
  }
}

function messageAt(messages: StoredMessage[], index: number): StoredMessage {
  const message = messages[index];
  // The script above fixes the indexes; this only fails if someone shortens it without updating them.
  if (!message) throw new Error(`demo script has no message at index ${index}`);
  return message;
}

function describeStep(step: DemoStep, messages: StoredMessage[]): string[] {
  switch (step.step) {
    case 'create':
      return [
        `1. Created session ${step.sessionId} and ran the agent on it twice (${step.runIds.join(', ')}):`,
        `   ${plural(step.messageCount, 'message')}, including the assistant's tool call and its result:`,
        ...messageList(messages, 1),
      ];
    case 'resume':
      return [
        step.reopenedStore
          ? `2. Closed the store, opened a new store object on the same URL and resumed ${step.sessionId}:`
          : `2. Resumed ${step.sessionId} (a memory: store lives in its object, so the demo kept the same one):`,
        `   read back ${plural(step.messagesReadBack, 'message')}, ${step.identical ? 'identical to what was written' : 'NOT identical to what was written'}.`,
        `   Ran the agent on it again (${step.runIds.join(', ')}): it now has ${plural(step.messageCount, 'message')}.`,
      ];
    case 'fork': {
      const [forkPoint, ...continuation] = messages;
      return [
        `3. Forked ${step.sourceId} at message ${step.messageCountAtFork} (${forkPoint?.id}: "${truncate(forkPoint ? previewMessage(forkPoint) : '', 40)}")`,
        `   into ${step.forkId}, which starts with those ${plural(step.messageCountAtFork, 'message')}, and ran the agent there`,
        `   (${step.runIds.join(', ')}) to go another way:`,
        ...messageList(continuation, step.messageCountAtFork + 1),
        `   The fork has ${plural(step.messageCount, 'message')}; the original still has ${step.sourceMessageCount}.`,
      ];
    }
    case 'rewind':
      return [
        `4. Rewound ${step.sessionId} to message ${step.messageCount} (${step.toMessageId}), undoing the second visit:`,
        `   ${plural(step.removedMessages, 'message')} left its path (still stored, for audit); it now has ${plural(step.messageCount, 'message')}.`,
      ];
  }
}

function messageList(messages: StoredMessage[], firstIndex: number): string[] {
  return messages.map((message, offset) => `     ${String(firstIndex + offset).padStart(2)}. ${message.role.padEnd(9)} ${previewMessage(message, 70)}`);
}

function explorationHints(command: Command, report: DemoReport): string[] {
  if (report.store.startsWith('memory:')) {
    return ['The memory: store is gone now that the demo has ended; run it on sqlite:PATH to explore the result.'];
  }
  const hints: Array<[commandLine: string, purpose: string]> = [
    [suggestCommand(command, 'show', report.sessionId), 'the original, rewound'],
    [suggestCommand(command, 'show', report.forkId), 'the fork'],
    [suggestCommand(command, 'tree', report.sessionId, '--messages'), 'the fork tree and the text of the rewound messages'],
    [suggestCommand(command, 'search', 'umbrella'), 'full-text search finds a rewound message too'],
    [suggestCommand(command, 'list', '--tag', 'demo'), 'every session the demo has made'],
    [suggestCommand(command, 'runs', report.sessionId), 'the agent runs of the original'],
    [suggestCommand(command, 'replay', report.runId), 'the run that called the tool, step by step'],
    [suggestCommand(command, 'serve'), 'all of it in the web inspector, at http://127.0.0.1:4300/'],
  ];
  const width = Math.max(...hints.map(([commandLine]) => commandLine.length));
  return ['Explore further:', ...hints.map(([commandLine, purpose]) => `  ${commandLine.padEnd(width)}   # ${purpose}`)];
}
