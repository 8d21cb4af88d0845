//! TODO: cosignature
