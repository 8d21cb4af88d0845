//! TODO: dsse
