/**
 * `sessionloom chat`: talk to an agent in the terminal. The conversation is a session like any
 * other (see it with `show`, `tree`, `runs`), every answer a recorded run. Offline by default, on
 * the deterministic scripted model; `--model openai:NAME` or `anthropic:NAME` for a real one.
 */
import type { Command } from 'commander';
import { assertValidId } from '../../common/ids.js';
import { SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import type { Agent } from '../../agent/agent.js';
import { agentRegistry, pickAgent } from '../../server/agents.js';
import { loadAgents } from '../load-agents.js';
import { createChatAgent, defaultUserId, resolveChatModel } from '../chat/chat-agent.js';
import { Conversation } from '../chat/conversation.js';
import { runRepl } from '../chat/repl.js';
import { plural, printJson, printLines, wantsJson } from '../output.js';
import { ReportedFailure } from '../report-error.js';
import { closeStore, openStore, resolveStoreUrl, suggestCommand } from '../store-url.js';

const DEFAULT_MODEL = 'scripted';

interface ChatCommandOptions {
  session?: string;
  model: string;
  user?: string;
  agents?: string;
  agent?: string;
}

export function addChatCommand(program: Command): void {
  program
    .command('chat')
    .description('talk to an agent in the terminal (/history, /fork, /rewind N, /sessions, /quit); reads lines from stdin when piped')
    .option('--session <id>', 'continue this session (default: a new one, created with your first message)')
    .option('--model <spec>', 'scripted (offline, deterministic), openai:NAME (OPENAI_API_KEY, OPENAI_BASE_URL) or anthropic:NAME (ANTHROPIC_API_KEY)', DEFAULT_MODEL)
    .option('--agents <module>', 'talk to an agent a module exports (its tools may ask for approval: answer y/n) instead of the built-in one')
    .option('--agent <name>', 'which of the module\'s agents (default: the only one)')
    .option('--user <id>', "whose conversation it is: owner of new sessions, and whose /sessions are listed (default: the resumed session's user, else your login name)")
    .action(async (options: ChatCommandOptions, command: Command) => {
      const json = wantsJson(command);
      const interactive = !json && process.stdin.isTTY === true && process.stdout.isTTY === true;
      // The model first: a missing API key is reported before the store is touched.
      const agent =
        options.agents === undefined
          ? createChatAgent(await resolveChatModel(options.model, interactive))
          : pickAgent(agentRegistry(await loadAgents(options.agents)), options.agent, { defaultToOnly: true });
      const url = resolveStoreUrl(command);
      const store = await openStore(command, url);
      let failures = 0;
      try {
        const { conversation, resumedMessages } = await openConversation(store, agent, options);
        if (!json) printLines(...greeting(url, options.model, conversation, resumedMessages));
        const outcome = await runRepl(conversation, { json, interactive });
        failures = outcome.failures;
        const session = await conversation.session();
        if (json) printJson({ store: url, model: options.model, userId: conversation.userId, sessionId: conversation.sessionId, entries: outcome.entries });
        else if (session) printLines(`Session ${session.id}: ${plural(session.messageCount, 'message')}. Continue with: ${suggestCommand(command, 'chat', '--session', session.id)}`);
        else printLines('Nothing was said, so no session was created.');
      } finally {
        await closeStore(store);
      }
      // Each failure was reported when it happened; the exit code tells a script that some did.
      if (failures > 0) throw new ReportedFailure(failures);
    });
}

async function openConversation(
  store: SessionStore,
  agent: Agent,
  options: ChatCommandOptions,
): Promise<{ conversation: Conversation; resumedMessages: number | undefined }> {
  const resumed = options.session === undefined ? undefined : await store.get(options.session);
  if (options.session !== undefined && !resumed) throw new SessionNotFoundError({ sessionId: options.session });
  const userId = options.user ?? resumed?.userId ?? defaultUserId();
  assertValidId(userId, 'user id');
  const conversation = await Conversation.open(store, agent, { userId, ...(resumed ? { resume: resumed.id } : {}) });
  return { conversation, resumedMessages: resumed?.messageCount };
}

function greeting(url: string, model: string, conversation: Conversation, resumedMessages: number | undefined): string[] {
  const modelNote = model === DEFAULT_MODEL ? 'the scripted model (offline and deterministic: it echoes you; --model openai:NAME for a real one)' : model;
  const sessionNote =
    resumedMessages === undefined
      ? `A new session for ${conversation.userId} starts with your first message.`
      : `Continuing ${conversation.sessionId} (${plural(resumedMessages, 'message')}).`;
  return [`sessionloom chat on ${url} with ${modelNote}.`, sessionNote, 'Type /help for commands, /quit to leave.', ''];
}
