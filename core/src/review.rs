//! TODO: review
