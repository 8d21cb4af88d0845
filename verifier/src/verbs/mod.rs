//! One module per verb. Each `run` takes the [`crate::Ctx`] and its flags and returns an
//! [`crate::output::Outcome`] or the error that stopped it.

pub mod audit;
pub mod bundle;
pub mod checkpoint;
pub mod consistency;
pub mod deadline;
pub mod inclusion;
pub mod reveal;
pub mod review;
