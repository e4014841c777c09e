//! Integration tests: the whole application in process (and the binary, for the CLI and
//! shutdown), on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.
//! One test binary with modules, so the suite links once.

mod accounts;
mod administration;
mod api_tokens;
mod cli;
mod directory_editing;
mod directory_search;
mod hsds;
mod http;
mod identity;
mod jobs;
mod kring_agenda;
mod kring_api;
mod kring_demo;
mod kring_fhir;
mod kring_members;
mod kring_situation;
mod kring_timeline;
mod matching_answers;
mod matching_coordinator;
mod matching_demo;
mod matching_requests;
mod matching_settings;
mod matching_volunteers;
mod openapi;
mod postcodes;
mod readiness;
mod screening_checks;
mod screening_checks_links;
mod screening_contacts;
mod screening_demo;
mod screening_signals;
mod shutdown;
mod support;
