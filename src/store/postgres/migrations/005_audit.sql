-- Audit log (issue 13): erasing a student finds the events that name them
-- by targetUserId (store/schema.ts INDEXED) and scrubs the name.
create index records_by_target_user_id on records (collection, (data->>'targetUserId'));
