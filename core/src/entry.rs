//! TODO: entry
