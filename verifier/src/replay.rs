//! Replaying a log from its entry bundles: every leaf hash, the tree rebuilt with a
//! [`Frontier`], optionally every tile compared with the hashes the entries imply, and
//! every entry run through the same rules the log server applies
//! ([`docket_core::rules::accept`]: DSSE signature, registration, role over time,
//! references, one decision per submission, never-decreasing `logged_at`).
//!
//! An entry that breaks a rule is reported with the first rule it breaks, in the order
//! docs/formats.md §5 gives, and counts for nothing: it changes no state, its time
//! included, and replay goes on with the next entry (docs/formats.md §5.2).
//!
//! Memory stays small: bundles are streamed one at a time; what is kept is the frontier
//! (O(log n) hashes), one partial tile per tile level, and the rules' index (one small
//! record per entry, which the rules need to judge later references).
//!
//! Blame: when a level-0 tile disagrees with the entries, either could be altered. The
//! entries are judged by the root (or a consistency proof) first: if they rebuild the
//! signed root, the tile is at fault; if not, the first bundle that disagreed with its
//! tile is named.

use docket_core::entry::Entry;
use docket_core::merkle::{self, Frontier, Hash, HashReader, NodeId};
use docket_core::policy::VerifiedCheckpoint;
use docket_core::rules::{RuleError, accept};
use docket_core::statement::{LogIndex, Statement};
use docket_core::tiles::{FULL_WIDTH, TILE_HEIGHT, Tile, TileHashReader, decode_tile};
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize};

use crate::error::{VerifierError, VerifyError};
use crate::log::{LogClient, tile_error};
use crate::view::{ReplayView, ViewSnapshot};

/// An entry that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The entry's index.
    pub index: u64,
    /// The rule's stable code (e.g. `signer_not_registered`, `decision_exists`).
    pub rule: String,
    /// What happened, for people.
    pub message: String,
}

/// One replayed entry.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The index.
    pub index: u64,
    /// The entry's bytes.
    pub bytes: Vec<u8>,
    /// The decoded entry, if it decodes.
    pub entry: Option<Entry>,
    /// The statement, if the entry was accepted by the rules (signature verified).
    pub statement: Option<Statement>,
    /// The rules it broke (empty when accepted).
    pub violations: Vec<Violation>,
}

impl Replayed {
    /// For a rejected entry, the entry its statement says it is about (unverified: read
    /// from the payload whatever the signature), so a report about that entry can say a
    /// rule-breaking entry touches it. `None` for accepted entries and for payloads that
    /// are not statements.
    pub fn claimed_reference(&self) -> Option<u64> {
        if self.statement.is_some() {
            return None;
        }
        let statement = self.entry.as_ref()?.envelope.unverified_statement().ok()?;
        statement.reference().map(|(index, _)| index.0)
    }
}

/// A tile whose hashes the replay computed, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TileMismatch {
    tile: Tile,
    position: usize,
}

/// The replay state: tree, rules index and tile buffers.
#[derive(Debug, Clone)]
pub struct Replayer {
    origin: String,
    frontier: Frontier,
    view: ReplayView,
    /// Per tile level, the hashes of the current, not yet full, tile; `None` when tiles
    /// are not compared.
    buffers: Option<Vec<Vec<Hash>>>,
    /// Tiles that disagreed with the entries, not yet blamed (see the module doc).
    mismatches: Vec<TileMismatch>,
}

/// [`Replayer`] as stored in an audit cursor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayerSnapshot {
    origin: String,
    size: u64,
    frontier: Vec<(u8, u64, Hash)>,
    view: ViewSnapshot,
    last_logged_at: Option<UnixMillis>,
    buffers: Option<Vec<Vec<Hash>>>,
}

impl Replayer {
    /// A replay of the log `origin` from entry 0; `check_tiles` compares every tile.
    pub fn new(origin: &str, check_tiles: bool) -> Replayer {
        Replayer {
            origin: origin.to_string(),
            frontier: Frontier::new(),
            view: ReplayView::new(),
            buffers: check_tiles.then(Vec::new),
            mismatches: Vec::new(),
        }
    }

    /// Entries replayed so far.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the entries replayed so far.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The latest `logged_at` among the accepted entries so far (`None` before any):
    /// rejected entries count for nothing, their time included.
    pub fn last_logged_at(&self) -> Option<UnixMillis> {
        self.view.last_logged_at()
    }

    /// The rules' index of the replayed log.
    pub fn view(&self) -> &ReplayView {
        &self.view
    }

    /// The stored form.
    pub fn snapshot(&self) -> ReplayerSnapshot {
        ReplayerSnapshot {
            origin: self.origin.clone(),
            size: self.frontier.size(),
            frontier: self
                .frontier
                .nodes()
                .iter()
                .map(|(id, hash)| (id.level, id.index, *hash))
                .collect(),
            view: self.view.snapshot(),
            last_logged_at: self.view.last_logged_at(),
            buffers: self.buffers.clone(),
        }
    }

    /// Back from the stored form; `None` if the frontier does not fit the size.
    pub fn from_snapshot(snapshot: ReplayerSnapshot) -> Option<Replayer> {
        let stored = StoredNodes(
            snapshot
                .frontier
                .iter()
                .map(|&(level, index, hash)| (NodeId { level, index }, hash))
                .collect(),
        );
        let frontier = Frontier::load(snapshot.size, &stored).ok()?;
        Some(Replayer {
            origin: snapshot.origin,
            frontier,
            view: ReplayView::from_snapshot(snapshot.view),
            buffers: snapshot.buffers,
            mismatches: Vec::new(),
        })
    }

    /// The log this replays.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Replays the next entry. Returns the entry and the tiles this entry completed
    /// (to compare with the log's).
    pub fn push(&mut self, bytes: &[u8]) -> (Replayed, Vec<(Tile, Vec<Hash>)>) {
        let index = self.frontier.size();
        let created = self.frontier.append(merkle::leaf_hash(bytes));
        let mut completed = Vec::new();
        if let Some(buffers) = &mut self.buffers {
            for (node, hash) in created {
                if node.level % TILE_HEIGHT != 0 {
                    continue;
                }
                let level = usize::from(node.level / TILE_HEIGHT);
                if buffers.len() <= level {
                    buffers.resize(level + 1, Vec::new());
                }
                buffers[level].push(hash);
                if buffers[level].len() == usize::from(FULL_WIDTH) {
                    let tile = Tile::new(node.level / TILE_HEIGHT, node.index / 256, FULL_WIDTH)
                        .expect("a node in a tree below 2^64 leaves lies in a valid tile");
                    completed.push((tile, std::mem::take(&mut buffers[level])));
                }
            }
        }
        (self.judge(index, bytes), completed)
    }

    /// Decodes and judges entry `index` through the rules, updating the rules' index but
    /// not the tree (the offline review check judges a sparse set of entries this way;
    /// they must come in index order).
    pub fn judge(&mut self, index: u64, bytes: &[u8]) -> Replayed {
        let mut replayed = Replayed {
            index,
            bytes: bytes.to_vec(),
            entry: None,
            statement: None,
            violations: Vec::new(),
        };
        let entry = match Entry::decode(bytes) {
            Ok(entry) => entry,
            Err(error) => {
                replayed.violations.push(Violation {
                    index,
                    rule: error.code().to_string(),
                    message: format!("entry {index} is not a valid entry: {error}"),
                });
                return replayed;
            }
        };
        let logged_at = entry.logged_at;
        match accept(
            &self.view,
            &entry.envelope,
            LogIndex(index),
            logged_at,
            &self.origin,
        ) {
            Ok((verified, effects)) => {
                self.view.apply(&effects);
                replayed.statement = Some(verified.statement().clone());
            }
            Err(RuleError::Violation(violation)) => replayed.violations.push(Violation {
                index,
                rule: violation.code().to_string(),
                message: format!("entry {index}: {violation}"),
            }),
            Err(RuleError::Envelope(error)) => replayed.violations.push(Violation {
                index,
                rule: error.code().to_string(),
                message: format!("entry {index}: {error}"),
            }),
            Err(RuleError::View(never)) => match never {},
        }
        replayed.entry = Some(entry);
        replayed
    }

    /// Compares a tile the replay computed with the log's bytes for it.
    fn compare_tile(
        &mut self,
        tile: Tile,
        computed: &[Hash],
        served: &[u8],
    ) -> Result<(), VerifyError> {
        let served = decode_tile(&tile, served).map_err(|error| VerifyError::TileMalformed {
            path: tile.path(),
            error,
        })?;
        if let Some(position) = (0..computed.len()).find(|&i| served.get(i) != Some(&computed[i])) {
            self.mismatches.push(TileMismatch { tile, position });
        }
        Ok(())
    }

    /// The error for the entries failing the root: names the first bundle that
    /// disagreed with its level-0 tile, if one did.
    fn entries_error(&self, size: u64) -> VerifyError {
        let hint = self
            .mismatches
            .iter()
            .find(|m| m.tile.level() == 0)
            .and_then(|m| m.tile.bundle())
            .map(|b| {
                format!(
                    " (entry bundle {} disagrees with tile {})",
                    b.path(),
                    b.tile().path()
                )
            })
            .unwrap_or_default();
        VerifyError::EntriesDoNotMatchRoot { size, hint }
    }

    /// Called once the entries so far are proven genuine: any tile that disagreed with
    /// them was altered.
    fn blame_tiles(&mut self) -> Result<(), VerifyError> {
        match self.mismatches.first() {
            Some(m) => Err(VerifyError::TileMismatch {
                path: m.tile.path(),
                position: m.position,
            }),
            None => Ok(()),
        }
    }
}

/// Progress and per-entry callbacks of a replay.
pub trait ReplayObserver {
    /// Called for every entry, in order.
    fn entry(&mut self, replayed: &Replayed);
    /// Called after each bundle, with the number of entries replayed.
    fn progress(&mut self, _replayed: u64) {}
    /// Called at each save point with the replay state proven consistent with the
    /// target checkpoint (audit cursors).
    fn save_point(&mut self, _replayer: &Replayer) -> Result<(), VerifierError> {
        Ok(())
    }
}

/// Bundles between save points: 64 × 256 = 16,384 entries.
const SAVE_EVERY_BUNDLES: u64 = 64;

/// Replays entries `replayer.size()..size` of the log, where `target` is a verified
/// checkpoint of at least `size` entries, then checks the rebuilt root: against
/// `target`'s root if `size` is its size, else by a consistency proof to it.
pub fn replay_to(
    client: &LogClient<'_>,
    replayer: &mut Replayer,
    target: &VerifiedCheckpoint,
    observer: &mut dyn ReplayObserver,
) -> Result<(), VerifierError> {
    let size = target.checkpoint().size();
    let width = u64::from(FULL_WIDTH);
    let mut bundle = replayer.size() / width;
    let mut since_save = 0;
    while replayer.size() < size {
        let (_, entries) = client.fetch_bundle(bundle, size)?;
        let first = bundle * width;
        for (offset, bytes) in entries.iter().enumerate() {
            if first + offset as u64 != replayer.size() {
                continue; // already replayed before a resume
            }
            let (replayed, completed) = replayer.push(bytes);
            for (tile, hashes) in completed {
                let (_, served) = client.fetch_tile(tile)?;
                replayer.compare_tile(tile, &hashes, &served)?;
            }
            observer.entry(&replayed);
        }
        observer.progress(replayer.size());
        bundle += 1;
        since_save += 1;
        if since_save == SAVE_EVERY_BUNDLES && replayer.size() < size {
            since_save = 0;
            prove_prefix(client, replayer, target)?;
            replayer.blame_tiles()?;
            observer.save_point(replayer)?;
        }
    }
    if replayer.root() != *target.checkpoint().root() {
        return Err(replayer.entries_error(size).into());
    }
    if let Some(buffers) = replayer.buffers.clone() {
        for (level, hashes) in buffers.iter().enumerate() {
            if hashes.is_empty() {
                continue;
            }
            let level = u8::try_from(level).expect("at most 8 tile levels");
            let index = (size >> (u32::from(level) * u32::from(TILE_HEIGHT))) / width;
            let tile = Tile::for_tree_size(level, index, size)
                .expect("the replayed tree has this partial tile");
            let (_, served) = client.fetch_tile(tile)?;
            replayer.compare_tile(tile, hashes, &served)?;
        }
    }
    replayer.blame_tiles()?;
    observer.save_point(replayer)?;
    Ok(())
}

/// Proves the replayed prefix is a prefix of `target` (consistency proof from tiles).
fn prove_prefix(
    client: &LogClient<'_>,
    replayer: &Replayer,
    target: &VerifiedCheckpoint,
) -> Result<(), VerifierError> {
    let (old, new) = (replayer.size(), target.checkpoint().size());
    let ranges = merkle::consistency_proof_ranges(old, new)
        .map_err(|error| VerifyError::Consistency { old, new, error })?;
    let tiles = client.fetch_tiles(new, &merkle::nodes_for_ranges(&ranges))?;
    let reader = TileHashReader::new(new, &tiles);
    let proof = merkle::range_hashes(&ranges, &reader).map_err(|e| tile_error(&tiles, e))?;
    merkle::verify_consistency(
        old,
        new,
        &replayer.root(),
        target.checkpoint().root(),
        &proof,
    )
    .map_err(|error| {
        if replayer.mismatches.iter().any(|m| m.tile.level() == 0) {
            replayer.entries_error(old).into()
        } else {
            VerifyError::Consistency { old, new, error }.into()
        }
    })
}

/// Frontier nodes read back from a cursor.
struct StoredNodes(Vec<(NodeId, Hash)>);

impl HashReader for StoredNodes {
    type Error = ();

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, ()> {
        nodes
            .iter()
            .map(|id| {
                self.0
                    .iter()
                    .find(|(n, _)| n == id)
                    .map(|(_, h)| *h)
                    .ok_or(())
            })
            .collect()
    }
}
