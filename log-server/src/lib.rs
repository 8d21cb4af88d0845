//! Docket log server.
