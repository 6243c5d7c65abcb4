/** Migration 12 (migrations.ts): the tables and trigger that packing settled messages needs (message-packs.ts). */
export const packsSchema = `
      -- Settled messages' bodies, packed and deflated (message-packs.ts; issue 18, bytes): a pack
      -- holds the bodies of its segment's messages from first_position to last_position, and each
      -- of those message rows keeps '' as its body. Nothing is packed here: a file's segments are
      -- packed as they are appended to (settle.ts), and an unpacked message reads as before.
      CREATE TABLE message_packs (
        first_position INTEGER PRIMARY KEY,
        last_position INTEGER NOT NULL,
        bodies BLOB NOT NULL
      );
      -- Packing deletes the packed rows and inserts them again with the body '', because SQLite
      -- rebalances a b-tree after a delete but not after an update that shrinks a row: updated in
      -- place, the rows left their pages 90% empty (measured: 450 B per message stayed in the
      -- messages table's pages, 396 of them unused). The range being repacked is noted here for
      -- the length of the packing transaction, and the trigger that removes a message's search
      -- entry with its row leaves those entries alone: the messages are not going away.
      CREATE TABLE message_repacking (
        first_position INTEGER PRIMARY KEY,
        last_position INTEGER NOT NULL
      );
      DROP TRIGGER message_search_forget;
      CREATE TRIGGER message_search_forget AFTER DELETE ON messages
        WHEN NOT EXISTS (SELECT 1 FROM search_backlog WHERE segment_number = old.position >> 32 AND from_position <= old.position)
          AND NOT EXISTS (SELECT 1 FROM message_repacking WHERE first_position <= old.position AND last_position >= old.position)
      BEGIN
        DELETE FROM message_search WHERE rowid = old.position;
      END;
    `;
