//! Every checkpoint the log published, with the cosignatures it got, kept forever so a
//! verifier can find the witnessed checkpoints that bracket an entry (docs/architecture.md, "Review
//! clock"): the last witnessed one without it and the first witnessed one with it.
//!
//! `c` seq → size u64 ‖ published_at ms u64 ‖ cosignature count u32 ‖ note text.
//! `w` size seq → empty, only for checkpoints with at least one cosignature, so both
//! brackets are one seek.

use docket_core::time::UnixMillis;
use rocksdb::{Direction, IteratorMode, WriteBatch};

use super::{KeyValue, LogStore, StoreError, read_u64, u64_key};

const CHECKPOINT_PREFIX: u8 = b'c';
const WITNESSED_PREFIX: u8 = b'w';

/// A published checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRecord {
    /// Publication order, from 0.
    pub seq: u64,
    /// Tree size it commits to.
    pub size: u64,
    /// When the log published it.
    pub published_at: UnixMillis,
    /// Number of witness cosignatures on it.
    pub cosignatures: u32,
    /// The signed note: log signature and cosignature lines.
    pub note: String,
}

fn witnessed_key(size: u64, seq: u64) -> [u8; 17] {
    let mut key = [0u8; 17];
    key[0] = WITNESSED_PREFIX;
    key[1..9].copy_from_slice(&size.to_be_bytes());
    key[9..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn decode(seq: u64, value: &[u8]) -> Result<CheckpointRecord, StoreError> {
    let corrupt = || StoreError::Corrupt {
        what: format!("checkpoint record {seq}"),
    };
    if value.len() < 20 {
        return Err(corrupt());
    }
    let cosignatures = u32::from_be_bytes(value[16..20].try_into().map_err(|_| corrupt())?);
    let note = String::from_utf8(value[20..].to_vec()).map_err(|_| corrupt())?;
    Ok(CheckpointRecord {
        seq,
        size: read_u64(value, "checkpoint size")?,
        published_at: UnixMillis(read_u64(&value[8..], "checkpoint time")?),
        cosignatures,
        note,
    })
}

impl LogStore {
    /// Appends a checkpoint record, synced, and returns it with its sequence number.
    /// Single writer (the sequencer), so "last seq + 1" cannot race.
    pub fn append_checkpoint(
        &self,
        size: u64,
        published_at: UnixMillis,
        cosignatures: u32,
        note: &str,
    ) -> Result<CheckpointRecord, StoreError> {
        let seq = match self.latest_checkpoint()? {
            Some(last) => last.seq + 1,
            None => 0,
        };
        let mut value = Vec::with_capacity(20 + note.len());
        value.extend_from_slice(&size.to_be_bytes());
        value.extend_from_slice(&published_at.0.to_be_bytes());
        value.extend_from_slice(&cosignatures.to_be_bytes());
        value.extend_from_slice(note.as_bytes());
        let mut batch = WriteBatch::default();
        batch.put(u64_key(CHECKPOINT_PREFIX, seq), value);
        if cosignatures > 0 {
            batch.put(witnessed_key(size, seq), b"");
        }
        self.write_synced(batch)?;
        Ok(CheckpointRecord {
            seq,
            size,
            published_at,
            cosignatures,
            note: note.to_string(),
        })
    }

    /// The most recently published checkpoint.
    pub fn latest_checkpoint(&self) -> Result<Option<CheckpointRecord>, StoreError> {
        let last = u64_key(CHECKPOINT_PREFIX, u64::MAX);
        let mut iter = self
            .db()
            .iterator(IteratorMode::From(&last, Direction::Reverse));
        match iter.next() {
            Some(item) => {
                let (key, value) = item?;
                if key.first() != Some(&CHECKPOINT_PREFIX) {
                    return Ok(None);
                }
                let seq = read_u64(&key[1..], "checkpoint key")?;
                Ok(Some(decode(seq, &value)?))
            }
            None => Ok(None),
        }
    }

    /// The checkpoint with sequence number `seq`.
    pub fn checkpoint(&self, seq: u64) -> Result<Option<CheckpointRecord>, StoreError> {
        match self.db().get(u64_key(CHECKPOINT_PREFIX, seq))? {
            None => Ok(None),
            Some(value) => Ok(Some(decode(seq, &value)?)),
        }
    }

    /// Up to `limit` checkpoints from sequence number `from` on, in publication order.
    pub fn checkpoints(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<CheckpointRecord>, StoreError> {
        let start = u64_key(CHECKPOINT_PREFIX, from);
        self.scan(&start, vec![CHECKPOINT_PREFIX + 1], limit)?
            .into_iter()
            .map(|(key, value)| decode(read_u64(&key[1..], "checkpoint key")?, &value))
            .collect()
    }

    /// The witnessed checkpoints bracketing entry `index`: the last one published whose
    /// tree does not contain it (size ≤ index), and the first one whose tree does.
    pub fn witnessed_brackets(
        &self,
        index: u64,
    ) -> Result<(Option<CheckpointRecord>, Option<CheckpointRecord>), StoreError> {
        let db = self.db();
        let upper = witnessed_key(index, u64::MAX);
        let before = self.first_witnessed(
            db.iterator(IteratorMode::From(&upper, Direction::Reverse))
                .next()
                .transpose()?,
        )?;
        let after = match index.checked_add(1) {
            Some(lower_size) => {
                let lower = witnessed_key(lower_size, 0);
                self.first_witnessed(
                    db.iterator(IteratorMode::From(&lower, Direction::Forward))
                        .next()
                        .transpose()?,
                )?
            }
            None => None,
        };
        Ok((before, after))
    }

    /// The checkpoint a step of a witnessed-index scan landed on, if it is still inside
    /// the witnessed index (a scan runs on past its prefix into the neighbouring keys).
    fn first_witnessed(
        &self,
        item: Option<KeyValue>,
    ) -> Result<Option<CheckpointRecord>, StoreError> {
        let Some((key, _)) = item else {
            return Ok(None);
        };
        if key.first() != Some(&WITNESSED_PREFIX) {
            return Ok(None);
        }
        self.checkpoint(read_u64(&key[9..], "witnessed key")?)
    }
}
