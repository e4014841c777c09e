-- Indexes the kring's pages need at scale (scripts/bench-kring: 100,000 caregivers).
-- Every kring page opens its network with the caregiver's account (`network::network`: the user
-- whose person is the caregiver); without this index that was a full scan of `users` per page view.
-- Keep this file in step with ../postgres/0009_kring_indexes.sql: a test compares the two schemas.

CREATE INDEX users_person ON users(person_id);
