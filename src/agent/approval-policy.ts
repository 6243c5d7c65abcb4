/**
 * Which tool calls need a person's approval. Two sources, as in the AI SDK and the seeds:
 * the tool's own `needsApproval` (a boolean, or a function of the input), and the agent's
 * `approval` policy (`{ default, tools: { [name]: decision | (input) => decision } }`). The
 * policy's entry for the tool wins, then the tool's `needsApproval` (when it asks), then the
 * policy's default.
 *
 * `deny` refuses the call without asking: the model gets a denied result, as it would after a
 * person said no.
 */
import type { Tool, ToolSet } from 'ai';
import { InvalidArgumentError } from '../errors.js';
import type { ModelMessage } from '../types.js';

export type ApprovalDecision = 'allow' | 'deny' | 'ask';

/** What a per-tool function sees besides the input. */
export interface ApprovalContext {
  toolCallId: string;
  toolName: string;
  /** The messages sent to the model for the step that made the call. */
  messages: ModelMessage[];
}

/** A per-tool rule: a fixed decision, or one computed from the call (`true` means ask, `false` allow). */
export type ToolApprovalRule = ApprovalDecision | ((input: unknown, context: ApprovalContext) => ApprovalDecision | boolean | PromiseLike<ApprovalDecision | boolean>);

export interface ApprovalPolicy {
  /** For tools without a rule of their own and without `needsApproval`. Default `allow`. */
  default?: ApprovalDecision;
  tools?: Record<string, ToolApprovalRule>;
}

/** The seeds' shape (`permissionPolicy: { defaultDecision }`), accepted as an alias. */
export interface PermissionPolicy {
  defaultDecision?: ApprovalDecision;
}

const DECISIONS = new Set<unknown>(['allow', 'deny', 'ask']);

/** Checks the agent's `approval` (or the seeds' `permissionPolicy`) and returns it in one shape. */
export function parseApprovalPolicy(approval: unknown, permissionPolicy: unknown): ApprovalPolicy | undefined {
  if (approval !== undefined && permissionPolicy !== undefined) {
    throw new InvalidArgumentError({ argument: 'agent approval', message: 'give `approval` or `permissionPolicy` (its alias), not both.' });
  }
  if (permissionPolicy !== undefined) {
    if (typeof permissionPolicy !== 'object' || permissionPolicy === null) {
      throw new InvalidArgumentError({ argument: 'agent permissionPolicy', message: 'expected { defaultDecision: allow | deny | ask }.' });
    }
    const { defaultDecision } = permissionPolicy as PermissionPolicy;
    return parseApprovalPolicy(defaultDecision === undefined ? {} : { default: defaultDecision }, undefined);
  }
  if (approval === undefined) return undefined;
  if (typeof approval !== 'object' || approval === null || Array.isArray(approval)) {
    throw new InvalidArgumentError({ argument: 'agent approval', message: 'expected { default?: allow | deny | ask, tools?: { [name]: decision | function } }.' });
  }
  const { default: fallback, tools, ...rest } = approval as ApprovalPolicy;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new InvalidArgumentError({ argument: `agent approval.${unknownKey}`, message: 'unknown field; expected default or tools.' });
  if (fallback !== undefined && !DECISIONS.has(fallback)) {
    throw new InvalidArgumentError({ argument: 'agent approval.default', message: 'expected allow, deny or ask.' });
  }
  if (tools !== undefined) {
    if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
      throw new InvalidArgumentError({ argument: 'agent approval.tools', message: 'expected an object of tool names to decisions or functions.' });
    }
    for (const [name, rule] of Object.entries(tools)) {
      if (!DECISIONS.has(rule) && typeof rule !== 'function') {
        throw new InvalidArgumentError({ argument: `agent approval.tools.${name}`, message: 'expected allow, deny, ask or a function of the input.' });
      }
    }
  }
  return { ...(fallback === undefined ? {} : { default: fallback }), ...(tools === undefined ? {} : { tools: { ...tools } }) };
}

/** The decision for one call. A rule or `needsApproval` function that throws fails the run (as it would in the AI SDK). */
export async function decideToolCall(
  tools: ToolSet,
  policy: ApprovalPolicy | undefined,
  call: { toolCallId: string; toolName: string; input: unknown },
  messages: ModelMessage[],
): Promise<ApprovalDecision> {
  const context: ApprovalContext = { toolCallId: call.toolCallId, toolName: call.toolName, messages };
  const rule = policy?.tools && Object.hasOwn(policy.tools, call.toolName) ? policy.tools[call.toolName] : undefined;
  if (rule !== undefined) return typeof rule === 'function' ? asDecision(await rule(call.input, context), call.toolName) : rule;
  const tool: Tool | undefined = Object.hasOwn(tools, call.toolName) ? tools[call.toolName] : undefined;
  const needsApproval = tool?.needsApproval;
  if (needsApproval === true) return 'ask';
  if (typeof needsApproval === 'function') {
    // AI SDK 6 passes `experimental_context`, 7 `context`; the runner has neither, so both are undefined.
    const asks = await (needsApproval as (input: unknown, options: Record<string, unknown>) => boolean | PromiseLike<boolean>)(call.input, {
      toolCallId: call.toolCallId,
      messages,
      experimental_context: undefined,
      context: undefined,
    });
    if (asks) return 'ask';
  }
  // `needsApproval: false` (or a function answering false) says nothing more than its absence, as in the AI SDK.
  return policy?.default ?? 'allow';
}

function asDecision(value: unknown, toolName: string): ApprovalDecision {
  if (value === true) return 'ask';
  if (value === false) return 'allow';
  if (DECISIONS.has(value)) return value as ApprovalDecision;
  throw new InvalidArgumentError({ argument: `agent approval.tools.${toolName}`, message: 'the rule returned something other than allow, deny, ask or a boolean.' });
}
