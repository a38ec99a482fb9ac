-- 0034: the chat's queue index gets a predicate of its own.
--
-- outbox_chat_queue (a chat's pending messages, 0010) and outbox_due (every
-- chat's, by time, 0001) had the same predicate, so any statement that
-- could use one could use the other, and which one the planner took
-- depended on statistics a queue rarely has right: it starts empty, grows
-- faster than autovacuum analyzes it, and a broadcast adds thousands of
-- rows at once. With the outbox not yet analyzed, under the chat load, a
-- reply's "am I first in my chat?" walked every due message of every chat
-- through outbox_due (300 pages a reply); analyzed while short, a lease
-- renewal or a worker taking its chat's earlier messages along did too.
-- The chat's statements now say "pending" as num_nulls(sent_at,
-- dropped_at) = 2, which only this index's predicate matches, and the
-- sender's walk by time says it as before, which only outbox_due's
-- matches: each statement has one index it can use, whatever the
-- statistics (TestChatQueueReadsIgnoreStatistics).
DROP INDEX outbox_chat_queue;
CREATE INDEX outbox_chat_queue ON outbox (chat_id, not_before, id) WHERE num_nulls(sent_at, dropped_at) = 2;
