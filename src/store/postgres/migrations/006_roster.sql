-- Roster imports (issue 13): a batch's login slips are looked up by their batch
-- (store/schema.ts INDEXED rosterSlips.batchId; studentId and schoolId are indexed already).
create index records_by_batch_id on records (collection, (data->>'batchId'));
