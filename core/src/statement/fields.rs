//! Field types of statements: organisations, roles, log indexes, salts and the named
//! values (`action`, `outcome`, `status`) of docs/architecture.md "Statements". Each checks its
//! value on construction, so a value of these types is always one a statement may carry.

use std::fmt;

use super::FieldProblem;

/// The fewest salt bytes a commitment may use (docs/architecture.md: "salt at least 16 random bytes",
/// enough that the committed digest cannot be guessed by trying salts).
pub const MIN_SALT_LEN: usize = 16;

/// An organisation's name as registered (`org`, `member.org`): not empty, no control
/// characters, no leading or trailing whitespace, compared byte for byte.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Org(String);

impl Org {
    /// Checks and wraps a name.
    pub fn new(name: impl Into<String>) -> Result<Org, FieldProblem> {
        let name = name.into();
        check_label(&name)?;
        Ok(Org(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Org {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Org({:?})", self.0)
    }
}

impl fmt::Display for Org {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Org {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Org, D::Error> {
        Org::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A position in the log: the index of an entry (a leaf), from 0. JSON: an integer.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LogIndex(pub u64);

impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The salt of a commitment, at least [`MIN_SALT_LEN`] bytes. JSON: lowercase hex.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Salt(Vec<u8>);

impl Salt {
    /// Checks the length and wraps the bytes.
    pub fn new(bytes: Vec<u8>) -> Result<Salt, FieldProblem> {
        if bytes.len() < MIN_SALT_LEN {
            return Err(FieldProblem::TooShort {
                min: MIN_SALT_LEN,
                found: bytes.len(),
            });
        }
        Ok(Salt(bytes))
    }

    /// The salt bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Salt({})", hex::encode(&self.0))
    }
}

impl serde::Serialize for Salt {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(&self.0))
    }
}

/// Defines a closed set of names written as JSON strings, with `as_str`, `from_name`,
/// `NAMES` and serde that accepts exactly those names.
macro_rules! named_values {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The JSON name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value with this exact name.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_name(&text)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&text, $name::NAMES))
            }
        }
    };
}

named_values! {
    /// A participant's role, which fixes the statement types its key may sign.
    Role {
        /// Runs the log: signs `genesis` and `participant`.
        Operator = "operator",
        /// An AI developer: signs `submission`, `release`, `withdrawal`.
        Developer = "developer",
        /// A reviewing agency: signs `determination`, `decision`.
        Reviewer = "reviewer",
        /// ONCD, sharing vulnerabilities: signs `disclosure`, `reveal`.
        Coordinator = "coordinator",
        /// The Treasury-led clearinghouse: signs `remediation`.
        Clearinghouse = "clearinghouse",
    }
}

named_values! {
    /// What a `participant` statement does to its member's key.
    Action {
        /// Registers the key for the role.
        Register = "register",
        /// Revokes the key, from the revoking entry on.
        Revoke = "revoke",
    }
}

named_values! {
    /// A decision's outcome.
    Outcome {
        /// No findings stand in the way of release.
        Cleared = "cleared",
        /// Cleared, subject to conditions stated in the report.
        ClearedWithConditions = "cleared_with_conditions",
        /// Vulnerabilities were found and reported.
        FindingsReported = "findings_reported",
        /// The reviewers declined to review.
        Declined = "declined",
    }
}

named_values! {
    /// The state of a patch or mitigation for a disclosure.
    RemediationStatus {
        /// A patch or mitigation is available.
        Available = "available",
        /// It has been deployed by the informed sectors.
        Deployed = "deployed",
        /// Nothing needs doing.
        NoneNeeded = "none_needed",
    }
}

/// Checks a short name (org, origin, model name and version, benchmark, sector): not
/// empty, no control characters, no surrounding whitespace, so two spellings that look
/// alike on a screen cannot name two different things.
pub(super) fn check_label(text: &str) -> Result<(), FieldProblem> {
    if text.is_empty() {
        return Err(FieldProblem::Empty);
    }
    if text.chars().any(char::is_control) {
        return Err(FieldProblem::ControlCharacter);
    }
    if text.trim() != text {
        return Err(FieldProblem::SurroundingWhitespace);
    }
    Ok(())
}
