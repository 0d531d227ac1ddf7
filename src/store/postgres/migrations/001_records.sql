-- FrameCheck's records in PostgreSQL: one row per record, the record itself
-- as jsonb (the same shape the embedded store keeps), with expression indexes
-- for the lookups of store/schema.ts INDEXED and unique indexes for its
-- UNIQUE_KEYS (named by uniqueIndexName; a contract test checks they agree).

create table records (
  collection text not null,
  id text not null,
  data jsonb not null,
  -- insertion order, so lookups list records in the order the embedded store does
  seq bigint generated always as identity,
  primary key (collection, id)
);

create index records_by_user_id on records (collection, (data->>'userId'));
create index records_by_teacher_id on records (collection, (data->>'teacherId'));
create index records_by_class_id on records (collection, (data->>'classId'));
create index records_by_student_id on records (collection, (data->>'studentId'));
create index records_by_parent_id on records (collection, (data->>'parentId'));
create index records_by_checkup_id on records (collection, (data->>'checkupId'));

create unique index u_users_username on records (lower(data->>'username')) where collection = 'users';
create unique index u_classes_joincode on records ((data->>'joinCode')) where collection = 'classes';
create unique index u_assignments_classlesson on records ((data->>'classId'), (data->>'lessonId')) where collection = 'assignments';
create unique index u_checkups_classphase on records ((data->>'classId'), (data->>'phase')) where collection = 'checkups';
create unique index u_memberships_classstudent on records ((data->>'classId'), (data->>'studentId')) where collection = 'memberships';
create unique index u_checkupsittings_checkupstudent on records ((data->>'checkupId'), (data->>'studentId')) where collection = 'checkupSittings';
create unique index u_checkupresponses_item on records ((data->>'checkupId'), (data->>'studentId'), (data->>'itemId')) where collection = 'checkupResponses';
create unique index u_parentlinks_parentstudent on records ((data->>'parentId'), (data->>'studentId')) where collection = 'parentLinks';
create unique index u_researchids_classstudent on records ((data->>'classId'), (data->>'studentId')) where collection = 'researchIds';

-- Page version counters (store/schema.ts versionKeysOf), bumped in the same
-- transaction as the change, read by every instance before serving a cached page.
create table versions (
  key text primary key,
  n bigint not null
);

-- Deployment-wide settings: the session secret lives here, not in a file per instance.
create table settings (
  name text primary key,
  value text not null
);

-- Login throttle counts shared by every instance (rate-limiter-flexible's RateLimiterPostgres layout).
create table rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
