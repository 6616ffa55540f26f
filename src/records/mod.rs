//! What every audited record (feedback, Ombudsman cases, service
//! improvements) shares.

pub mod erasure;
