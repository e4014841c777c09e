//! Domain types and pure logic of Mantelkring. Nothing in this crate performs I/O,
//! so everything here can be unit- and property-tested directly.

pub mod access;
pub mod api_token;
pub mod audit;
pub mod base;
pub mod directory;
pub mod geo;
pub mod identity;
pub mod jobs;
pub mod matching;
pub mod navigation;
pub mod network;
pub mod screening;
pub mod time;
