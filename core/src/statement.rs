//! TODO: statement
