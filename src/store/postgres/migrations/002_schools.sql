-- Schools (issue 13): records are looked up by their school, and a teacher
-- teaches a class at most once (store/schema.ts UNIQUE_KEYS).
create index records_by_school_id on records (collection, (data->>'schoolId'));
create unique index u_classteachers_classteacher on records ((data->>'classId'), (data->>'teacherId')) where collection = 'classTeachers';
