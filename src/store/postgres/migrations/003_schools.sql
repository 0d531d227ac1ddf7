-- Schools, part two (issue 13): an invitation makes one account, even when two
-- instances take the same code at once (store/schema.ts UNIQUE_KEYS
-- users.invite); audit events are found by the user they were about, so
-- erasing a student can take the name out of them.
create unique index u_users_invite on records ((data->>'inviteId')) where collection = 'users';
create index records_by_target_user_id on records (collection, (data->>'targetUserId'));
