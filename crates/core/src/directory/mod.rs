//! The sociale kaart (social map of support): the shared vocabulary and, as the capability grows,
//! the pure rules behind search and freshness. Modelled on Open Referral HSDS 3.0.

pub mod taxonomy;
