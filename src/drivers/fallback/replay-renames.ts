/**
 * The duplicate-id rule of the replay. A message appended while degraded with an id the caller
 * chose may find, on replay, that the primary took that id meanwhile (another writer used it). The
 * message is not dropped and the replay does not stop: it lands under a new id derived from the
 * journal and the original id (so a resumed replay picks the same one), and every reference to it
 * in this and later journal entries follows (operation records, checkpoints, fork points). The
 * rename is reported with the replay, as a conflict fork is.
 */
import { createHash } from 'node:crypto';
import { decodeManifest, encodeManifest } from '../../checkpoint/manifest.js';
import type { ReplayRename } from '../../driver/degradable.js';
import type { StorageDriver, WriteBatch } from '../../driver/driver.js';

export class MessageRenames {
  /** Original id → the id it landed under. */
  private readonly renamedTo = new Map<string, string>();
  readonly renamed: ReplayRename[] = [];

  constructor(
    private readonly primary: StorageDriver,
    private readonly journalId: string,
  ) {}

  private newIdFor(messageId: string): string {
    return `msg_${createHash('sha256').update(`${this.journalId}\u0000${messageId}`).digest('hex').slice(0, 26)}`;
  }

  /**
   * A batch failed with `duplicate-message`: renames each of its messages whose id the primary holds
   * (all at once: a commit names only the first), and returns how many. `sent` is the batch as it
   * was sent (redirected to a fork perhaps), so a message is reported under the session it lands in.
   */
  async renameTaken(original: WriteBatch, sent: WriteBatch): Promise<number> {
    let renamed = 0;
    for (const [index, message] of (original.messages ?? []).entries()) {
      if (this.renamedTo.has(message.id) || !(await this.primary.locateMessage(message.id))) continue;
      this.record(message.id, this.newIdFor(message.id), await this.ownerOf(sent, sent.messages?.[index]?.segmentId ?? message.segmentId));
      renamed += 1;
    }
    return renamed;
  }

  /**
   * For a batch that landed in an earlier, interrupted replay: which of its messages landed renamed.
   * Only a rename leaves a message under its derived id, so finding one there is proof.
   */
  async learn(batch: WriteBatch): Promise<void> {
    for (const message of batch.messages ?? []) {
      if (this.renamedTo.has(message.id)) continue;
      const renamedTo = this.newIdFor(message.id);
      const location = await this.primary.locateMessage(renamedTo);
      if (location) this.record(message.id, renamedTo, await this.ownerOf(batch, location.segmentId));
    }
  }

  private record(messageId: string, renamedTo: string, sessionId: string): void {
    this.renamedTo.set(messageId, renamedTo);
    this.renamed.push({ sessionId, messageId, renamedTo });
  }

  private async ownerOf(batch: WriteBatch, segmentId: string): Promise<string> {
    const segment = batch.segments?.find((candidate) => candidate.id === segmentId) ?? (await this.primary.getSegment(segmentId));
    return segment?.sessionId ?? batch.sessions?.[0]?.record.id ?? segmentId;
  }

  /** Every message id of the batch as it must land: renamed ones replaced, wherever they appear. */
  apply(batch: WriteBatch): WriteBatch {
    if (this.renamedTo.size === 0) return batch;
    const follow = (id: string) => this.renamedTo.get(id) ?? id;
    batch.messages = batch.messages?.map((message) => ({ ...message, id: follow(message.id) }));
    batch.operations = batch.operations?.map((operation) => ({ ...operation, messageIds: operation.messageIds.map(follow) }));
    batch.checkpoints = batch.checkpoints?.map((checkpoint) => {
      // A checkpoint's manifest may be a delta on the checkpoint of a renamed message: it follows too.
      const manifest = decodeManifest(checkpoint.manifest, checkpoint.messageId);
      const base = manifest.base === undefined ? undefined : follow(manifest.base);
      const rebased = base === manifest.base ? checkpoint.manifest : encodeManifest({ ...manifest, ...(base === undefined ? {} : { base }) });
      return { ...checkpoint, messageId: follow(checkpoint.messageId), manifest: rebased };
    });
    batch.sessions = batch.sessions?.map((write) => {
      const forkedFrom = write.record.forkedFrom;
      return forkedFrom ? { ...write, record: { ...write.record, forkedFrom: { ...forkedFrom, messageId: follow(forkedFrom.messageId) } } } : write;
    });
    return batch;
  }
}
