//! The sociale kaart (social map of support): the shared vocabulary, the service record and the
//! pure rules behind search and freshness. Modelled on Open Referral HSDS 3.0.

pub mod draft;
pub mod freshness;
pub mod hsds;
pub mod hsds_csv;
pub mod model;
pub mod opening;
pub mod taxonomy;
