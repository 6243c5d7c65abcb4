export { SessionStore, type StoreOptions, type DriverStoreOptions, type OpenOptions, type AdapterStoreOptions } from './session-store.js';
export type { RecordAccess } from './session/record-access.js';
export type { SqliteStoreOptions } from './drivers/registry.js';
export type { ExportOptions } from './transfer/export.js';
export type { ImportOptions, ImportResult } from './transfer/import.js';
export type { ImportChunks, ImportSource } from './transfer/source.js';
export { EXPORT_FORMAT, EXPORT_VERSION } from './transfer/format.js';
export {
  SessionloomError,
  SessionNotFoundError,
  MessageNotFoundError,
  RunNotFoundError,
  SessionConflictError,
  SessionExpiredError,
  InvalidArgumentError,
  StoreUnavailableError,
  WorkspaceConflictError,
  ImportError,
  ConfigurationError,
  type ErrorCode,
} from './errors.js';
export type * from './types.js';
export type * from './audit-types.js';
export type {
  StorageDriver,
  SessionRecord,
  SegmentRecord,
  MessageRecord,
  OperationRecord,
  SessionQuery,
  WriteBatch,
  WriteConflictReason,
  BlobRecord,
  CheckpointRecord,
  CheckpointStorage,
  CheckpointCapableDriver,
} from './driver/driver.js';
export { WriteConflict, supportsCheckpoints } from './driver/driver.js';
export { MemoryDriver } from './drivers/memory.js';
export { messageText } from './common/message-text.js';
export { AdapterDriver, type AdapterDriverOptions } from './drivers/adapter/driver.js';
export type { RecordAdapter } from './drivers/adapter/adapter.js';
export { MapRecordAdapter, type MapRecordAdapterOptions } from './drivers/adapter/map-adapter.js';
export type { FallbackOptions, FallbackStatus } from './drivers/fallback/driver.js';
export type { ReplayReport, ReplayConflict } from './drivers/fallback/replay.js';
// Agents. None of these modules loads the `ai` package when imported: running an agent does.
export { Agent, DEFAULT_MAX_STEPS, type AgentConfig, type ModelSettings } from './agent/agent.js';
export { Runner, type RunOptions, type RunSessionOptions, type ResumeOptions } from './agent/runner.js';
export type { ApprovalPolicy, ApprovalDecision, ApprovalContext, ToolApprovalRule, PermissionPolicy } from './agent/approval-policy.js';
export type { ApprovalAnswer, PendingApproval, PendingApprovalsOptions, AwaitApprovalOptions } from './session/approvals.js';
export type { CheckpointFilesOptions } from './agent/run-checkpoint.js';
export { RunStream } from './agent/run-stream.js';
export type { RunResult } from './agent/run-result.js';
export { RUN_EVENT_TYPES, type RunEventType, type RunStreamEvent, type ToolResultOutput } from './agent/run-events.js';
export type { RunInput } from './agent/run-input.js';
export { costOf, type ModelPrice, type PriceTable } from './agent/pricing.js';
export { Chat, type ChatOptions, type SendOptions } from './agent/chat.js';
export {
  ScriptedLanguageModel,
  echoReply,
  type ScriptedModelOptions,
  type ScriptedReply,
  type ScriptedTurn,
  type ScriptedToolCall,
  type ScriptContext,
} from './agent/scripted-model.js';
export { resolveModel, type ResolveModelOptions } from './agent/resolve-model.js';
export { INTERRUPTED_TOOL_RESULT_TEXT, repairTranscript, type TranscriptOptions } from './session/transcript.js';
// Token windows and compaction. The tokenizer is loaded by the first count, never by this import.
export { loadTokenCounter, countMessageTokens, type TokenCounter } from './session/token-count.js';
export { COMPACTION_SUMMARY_PREFIX, compactionOf } from './session/compact.js';
