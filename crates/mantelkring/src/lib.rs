//! The `mantelkring` binary's library half: configuration, start-up, the job worker, e-mail,
//! the demo region (with its sociale kaart and its care networks), imports of reference data and
//! the sociale kaart's HSDS import/export. `main.rs` only parses the command line and calls into
//! here, so the integration tests can start the same application in process.

pub mod app;
pub mod config;
pub mod demo;
pub mod demo_kring;
pub mod demo_map;
pub mod demo_matching;
pub mod demo_screening;
pub mod hsds_io;
pub mod import;
pub mod kring_digest;
pub mod kring_unfilled;
pub mod mail;
pub mod matching_expiry;
pub mod screening_reminders;
pub mod screening_signals;
pub mod upkeep;
pub mod worker;
