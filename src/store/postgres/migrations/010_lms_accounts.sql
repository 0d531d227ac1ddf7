-- Accounts made by an LMS launch carry "fromLms": true (src/lti/provisioning.ts),
-- so a quiz answer by any other student looks up no LTI identity. Accounts
-- launched before the flag existed get it here, once.
update records u set data = u.data || '{"fromLms": true}'::jsonb
where u.collection = 'users'
  and not coalesce((u.data->>'fromLms')::boolean, false)
  and exists (select 1 from records i where i.collection = 'ltiIdentities' and i.data->>'userId' = u.id);
