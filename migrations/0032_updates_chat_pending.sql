-- 0032: a chat's updates still in flight, found by the chat.
--
-- Before handling an update, a worker asks whether an earlier update of
-- the same chat is still unhandled (per-chat order across webhook
-- replicas). updates_pending leads with the update id, so the question
-- read every update in flight below this one, for every update (0.2 ms
-- each under the chat load); this index answers it from the chat's own
-- one or two entries.
CREATE INDEX updates_chat_pending ON updates (chat_id, update_id) WHERE processed_at IS NULL;
