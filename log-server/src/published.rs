//! The latest published checkpoint, shared between the sequencer (the only writer) and
//! the readers. Readers never look past its size: everything up to it was committed
//! (synced) before it was published, so every tile, entry and proof it implies exists.

use std::sync::Arc;

use docket_core::merkle::Hash;
use docket_core::time::UnixMillis;
use tokio::sync::watch;

use crate::store::checkpoints::CheckpointRecord;

/// A checkpoint as published: its tree and its full signed note (log signature and the
/// cosignatures it got).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCheckpoint {
    /// Sequence number in the checkpoint history.
    pub seq: u64,
    /// Tree size.
    pub size: u64,
    /// Tree root.
    pub root: Hash,
    /// When it was published.
    pub published_at: UnixMillis,
    /// Number of witness cosignatures on it.
    pub cosignatures: u32,
    /// The signed note text, as served at `/checkpoint`.
    pub note: String,
    /// Whether its cosignatures meet the receipt policy: receipts against it are final.
    pub is_final: bool,
}

impl PublishedCheckpoint {
    /// Combines a stored record with its root and whether it meets the receipt policy.
    pub fn from_record(
        record: CheckpointRecord,
        root: Hash,
        is_final: bool,
    ) -> PublishedCheckpoint {
        PublishedCheckpoint {
            seq: record.seq,
            size: record.size,
            root,
            published_at: record.published_at,
            cosignatures: record.cosignatures,
            note: record.note,
            is_final,
        }
    }
}

/// Read side of the published checkpoint.
#[derive(Debug, Clone)]
pub struct Published {
    rx: watch::Receiver<Arc<PublishedCheckpoint>>,
}

/// Write side, held by the sequencer.
#[derive(Debug)]
pub struct Publisher {
    tx: watch::Sender<Arc<PublishedCheckpoint>>,
}

/// A publisher/reader pair starting at `initial`.
pub fn channel(initial: PublishedCheckpoint) -> (Publisher, Published) {
    let (tx, rx) = watch::channel(Arc::new(initial));
    (Publisher { tx }, Published { rx })
}

impl Published {
    /// The latest published checkpoint.
    pub fn latest(&self) -> Arc<PublishedCheckpoint> {
        self.rx.borrow().clone()
    }

    /// Waits until a checkpoint of at least `size` is published (tests, tools).
    pub async fn wait_for_size(&self, size: u64) -> Arc<PublishedCheckpoint> {
        let mut rx = self.rx.clone();
        loop {
            let current = rx.borrow_and_update().clone();
            if current.size >= size || rx.changed().await.is_err() {
                return current;
            }
        }
    }

    /// Waits until a checkpoint newer than sequence number `seq` is published.
    pub async fn wait_for_newer(&self, seq: u64) -> Arc<PublishedCheckpoint> {
        let mut rx = self.rx.clone();
        loop {
            let current = rx.borrow_and_update().clone();
            if current.seq > seq || rx.changed().await.is_err() {
                return current;
            }
        }
    }
}

impl Publisher {
    /// Publishes a new checkpoint.
    pub fn publish(&self, checkpoint: PublishedCheckpoint) {
        self.tx.send_replace(Arc::new(checkpoint));
    }

    /// The latest published checkpoint.
    pub fn latest(&self) -> Arc<PublishedCheckpoint> {
        self.tx.borrow().clone()
    }
}
