/**
 * `sessionloom demo`: a scripted, offline tour of what the library does (no model, no network).
 * It writes a conversation, closes the store and resumes it from a new store object (what a user
 * coming back tomorrow gets), forks it to try another direction, and rewinds the original.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import type { MessageInput, StoredMessage } from '../../types.js';
import { plural, previewMessage, printJson, printLines, truncate, wantsJson } from '../output.js';
import { openStore, resolveStoreUrl, suggestCommand } from '../store-url.js';
import { type ForkTree, loadForkTree, renderForkTree } from './tree.js';

/** The first visit: a question answered with a tool call, then a follow-up. */
const FIRST_VISIT: MessageInput[] = [
  { role: 'system', content: 'You are a concise travel assistant.' },
  { role: 'user', content: 'What is the weather in Lisbon today?' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', toolCallId: 'call_weather_1', toolName: 'get_weather', input: { city: 'Lisbon' } },
    ],
  },
  {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        toolCallId: 'call_weather_1',
        toolName: 'get_weather',
        output: { type: 'json', value: { city: 'Lisbon', temperatureC: 22, conditions: 'sunny' } },
      },
    ],
  },
  { role: 'assistant', content: 'It is 22°C and sunny in Lisbon today.' },
  { role: 'user', content: 'What should I pack for a day of walking there?' },
  { role: 'assistant', content: 'Sunscreen, water, comfortable shoes and a light jacket for the evening breeze.' },
];
/** The answer the fork starts from: message 5, the weather report. */
const FORK_POINT_INDEX = 4;
/** Where the rewind takes the original back to: message 7, before the second visit's turn. */
const REWIND_POINT_INDEX = 6;

const SECOND_VISIT: MessageInput[] = [
  { role: 'user', content: 'And tomorrow?' },
  { role: 'assistant', content: 'Tomorrow: 19°C with light rain in the afternoon; take an umbrella.' },
];

const FORK_CONTINUATION: MessageInput[] = [
  { role: 'user', content: 'Actually, what about Porto instead?' },
  { role: 'assistant', content: 'Porto is cooler: 18°C and cloudy, windy by the sea.' },
];

interface CreateStep {
  step: 'create';
  sessionId: string;
  appendedMessages: number;
  messageCount: number;
}

interface ResumeStep {
  step: 'resume';
  sessionId: string;
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
  steps: DemoStep[];
  tree: ForkTree;
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('an offline scripted conversation showing resume, fork and rewind on the store')
    .action(async (_options: unknown, command: Command) => {
      const json = wantsJson(command);
      const url = resolveStoreUrl(command);
      if (!json) printLines(`sessionloom demo on ${url} (scripted and offline: no model, no network)`, '');
      const report = await runDemo(url, json ? () => {} : (step, messages) => printLines(...describeStep(step, messages), ''));
      if (json) {
        printJson(report);
        return;
      }
      const tree = renderForkTree(report.tree).map((line) => (line === '' ? line : `  ${line}`));
      printLines('Fork tree:', ...tree, '', ...explorationHints(command, report));
    });
}

type StepListener = (step: DemoStep, messages: StoredMessage[]) => void;

async function runDemo(url: string, onStep: StepListener): Promise<DemoReport> {
  let store = await openStore(url);
  try {
    const steps: DemoStep[] = [];
    const record = (step: DemoStep, messages: StoredMessage[]): void => {
      steps.push(step);
      onStep(step, messages);
    };

    const session = await store.create({ userId: 'demo-user', agentId: 'travel-assistant', tags: ['demo'], metadata: { source: 'sessionloom demo' } });
    const written = await store.append(session.id, FIRST_VISIT);
    record({ step: 'create', sessionId: session.id, appendedMessages: written.length, messageCount: written.length }, written);

    // A new store object on the same URL, as a process started tomorrow would have. A memory:
    // store cannot do this (its sessions live in the object), so it keeps the one it has.
    const reopenedStore = store.backend !== 'memory';
    if (reopenedStore) {
      await store.close();
      store = await openStore(url);
    }
    const readBack = await store.getMessages(session.id);
    const secondVisit = await store.append(session.id, SECOND_VISIT);
    record(
      {
        step: 'resume',
        sessionId: session.id,
        reopenedStore,
        messagesReadBack: readBack.length,
        identical: isDeepStrictEqual(readBack, written),
        appendedMessages: secondVisit.length,
        messageCount: readBack.length + secondVisit.length,
      },
      readBack,
    );

    const forkPoint = messageAt(written, FORK_POINT_INDEX);
    const fork = await store.fork(session.id, { fromMessage: forkPoint.id, metadata: { direction: 'Porto instead of Lisbon' } });
    const continuation = await store.append(fork.id, FORK_CONTINUATION);
    const source = await store.get(session.id);
    record(
      {
        step: 'fork',
        sourceId: session.id,
        forkId: fork.id,
        fromMessageId: forkPoint.id,
        messageCountAtFork: fork.messageCount,
        appendedMessages: continuation.length,
        messageCount: fork.messageCount + continuation.length,
        sourceMessageCount: source?.messageCount ?? 0,
      },
      [forkPoint, ...continuation],
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

    return { store: url, sessionId: session.id, forkId: fork.id, steps, tree: await loadForkTree(store, session.id) };
  } finally {
    await store.close();
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
        `1. Created session ${step.sessionId} and appended a first visit: ${plural(step.messageCount, 'message')},`,
        '   including an assistant tool call and its result:',
        ...messageList(messages, 1),
      ];
    case 'resume':
      return [
        step.reopenedStore
          ? `2. Closed the store, opened a new store object on the same URL and resumed ${step.sessionId}:`
          : `2. Resumed ${step.sessionId} (a memory: store lives in its object, so the demo kept the same one):`,
        `   read back ${plural(step.messagesReadBack, 'message')}, ${step.identical ? 'identical to what was written' : 'NOT identical to what was written'}.`,
        `   Appended a second visit: it now has ${plural(step.messageCount, 'message')}.`,
      ];
    case 'fork': {
      const [forkPoint, ...continuation] = messages;
      return [
        `3. Forked ${step.sourceId} at message ${step.messageCountAtFork} (${forkPoint?.id}: "${truncate(forkPoint ? previewMessage(forkPoint) : '', 40)}")`,
        `   into ${step.forkId}, which starts with those ${plural(step.messageCountAtFork, 'message')} and went another way:`,
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
    [suggestCommand(command, 'tree', report.sessionId), 'the fork tree and the rewound messages'],
    [suggestCommand(command, 'list', '--tag', 'demo'), 'every session the demo has made'],
  ];
  const width = Math.max(...hints.map(([commandLine]) => commandLine.length));
  return ['Explore further:', ...hints.map(([commandLine, purpose]) => `  ${commandLine.padEnd(width)}   # ${purpose}`)];
}
