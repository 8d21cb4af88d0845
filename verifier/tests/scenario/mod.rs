//! The review scenario most tests share: five submissions in every status, a disclosure
//! and its reveal, published in four checkpoints over three days.

#![allow(dead_code)]

use docket_core::merkle::Hash;
use docket_core::statement::{Salt, commitment};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::common::*;

/// The advisory document shared in the disclosure.
pub const ADVISORY: &[u8] = b"Advisory 2026-001: prompt-injection escape in model tooling.\n";
/// Its salt.
pub const SALT: [u8; 16] = [0x5a; 16];

/// Entry indexes of the scenario.
pub struct Indexes {
    pub on_time: u64,
    pub late: u64,
    pub overdue: u64,
    pub withdrawn: u64,
    pub pending: u64,
    pub decision_on_time: u64,
    pub decision_late: u64,
    pub disclosure: u64,
    pub reveal: u64,
}

const HOUR: u64 = 3_600_000;

/// Builds the scenario; checkpoints at sizes 4, 8, 11 and 14.
pub fn build() -> (TestLog, Indexes) {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let on_time = log.append(submission("alpha"), &k.developer, T0 + HOUR);
    let late = log.append(submission("beta"), &k.developer, T0 + HOUR + 1);
    let overdue = log.append(submission("gamma"), &k.developer, T0 + HOUR + 2);
    let withdrawn = log.append(submission("delta"), &k.developer, T0 + HOUR + 3);
    log.publish((T0 + 2 * HOUR) / 1000);
    let decision_on_time = log.append(decision(on_time), &k.reviewer, T0 + 5 * HOUR);
    log.append(withdrawal(withdrawn), &k.developer, T0 + 6 * HOUR);
    let advisory_sha = Hash(Sha256::digest(ADVISORY).into());
    let salt = Salt::new(SALT.to_vec()).unwrap();
    let disclosure = log.append(
        json!({"type":"disclosure","org":"oncd","submission":on_time,"sectors":["energy","finance"],
               "recipients":12,"commitment":commitment(&salt, &advisory_sha).to_hex()}),
        &k.coordinator,
        T0 + 6 * HOUR + 1,
    );
    log.publish((T0 + 7 * HOUR) / 1000);
    let decision_late = log.append(decision(late), &k.reviewer, T0 + HOUR + 2 * DAY);
    let reveal = log.append(
        json!({"type":"reveal","org":"oncd","disclosure":disclosure,"salt":hex::encode(SALT),
               "advisory_sha256":advisory_sha.to_hex()}),
        &k.coordinator,
        T0 + 2 * DAY + 2 * HOUR,
    );
    let pending = log.append(submission("epsilon"), &k.developer, T0 + 3 * DAY);
    log.publish((T0 + 3 * DAY + HOUR) / 1000);
    (
        log,
        Indexes {
            on_time,
            late,
            overdue,
            withdrawn,
            pending,
            decision_on_time,
            decision_late,
            disclosure,
            reveal,
        },
    )
}
