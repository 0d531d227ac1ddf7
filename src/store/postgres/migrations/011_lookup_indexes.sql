-- A lookup index holds only the records that have its field. Before, every
-- record went into every lookup index, most of them under a null key: a quiz
-- answer (an attempt has a studentId and nothing else looked up) wrote 13 index
-- entries, 11 of them nulls piling onto the same last page of each index, which
-- every concurrent answer had to lock in turn. Now it writes two (the primary
-- key and studentId). Lookups (`data->>'field' = $1` or `= any($1)`) imply the
-- field is not null, so PostgreSQL uses these indexes as before.
-- One-time cost on upgrade: the indexes are rebuilt while the table is locked.
drop index records_by_user_id;
create index records_by_user_id on records (collection, (data->>'userId')) where data->>'userId' is not null;
drop index records_by_teacher_id;
create index records_by_teacher_id on records (collection, (data->>'teacherId')) where data->>'teacherId' is not null;
drop index records_by_class_id;
create index records_by_class_id on records (collection, (data->>'classId')) where data->>'classId' is not null;
drop index records_by_student_id;
create index records_by_student_id on records (collection, (data->>'studentId')) where data->>'studentId' is not null;
drop index records_by_parent_id;
create index records_by_parent_id on records (collection, (data->>'parentId')) where data->>'parentId' is not null;
drop index records_by_checkup_id;
create index records_by_checkup_id on records (collection, (data->>'checkupId')) where data->>'checkupId' is not null;
drop index records_by_school_id;
create index records_by_school_id on records (collection, (data->>'schoolId')) where data->>'schoolId' is not null;
drop index records_by_target_user_id;
create index records_by_target_user_id on records (collection, (data->>'targetUserId')) where data->>'targetUserId' is not null;
drop index records_by_issuer;
create index records_by_issuer on records (collection, (data->>'issuer')) where data->>'issuer' is not null;
drop index records_by_platform_id;
create index records_by_platform_id on records (collection, (data->>'platformId')) where data->>'platformId' is not null;
drop index records_by_status;
create index records_by_status on records (collection, (data->>'status')) where data->>'status' is not null;
drop index records_by_batch_id;
create index records_by_batch_id on records (collection, (data->>'batchId')) where data->>'batchId' is not null;
