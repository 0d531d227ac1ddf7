-- LMS connections (issue 15): platforms are looked up by issuer, LTI
-- identities by platform, the grade outbox by its status; one platform
-- registration per (issuer, client id) (store/schema.ts UNIQUE_KEYS).
create index records_by_issuer on records (collection, (data->>'issuer'));
create index records_by_platform_id on records (collection, (data->>'platformId'));
create index records_by_status on records (collection, (data->>'status'));
create unique index u_ltiplatforms_issuerclient on records ((data->>'issuer'), (data->>'clientId')) where collection = 'ltiPlatforms';
