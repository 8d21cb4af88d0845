//! TODO: proof
