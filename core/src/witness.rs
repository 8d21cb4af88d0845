//! TODO: witness
