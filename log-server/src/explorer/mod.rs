//! The explorer: what journalists and staff read at `/` and `/v1/submissions`. The
//! indexes ([`index`]) are written with the entries, in the same synced batch; the
//! queries ([`query`]) read only those indexes, cut at the published checkpoint, and
//! take every review status from docket-core's review clock.

pub mod index;
pub mod pages;
pub mod query;
pub mod words;

pub use index::{Counters, ExplorerBatch, SubmissionRecord};
pub use query::{Cut, Filter, Overview, Paging, Row, RowPage, SearchResult};

#[cfg(test)]
mod tests;
