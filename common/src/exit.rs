//! The exit codes of every Docket program, one table (docs/conventions.md repeats it, and a
//! test below keeps the two equal).
//!
//! | code | meaning | what to do |
//! |---|---|---|
//! | 0 | done; everything checked verified | nothing |
//! | 1 | no: the log refused the statement, or a check failed (evidence) | read the message; do not retry blindly |
//! | 2 | bad flags or a local problem (file, key, config); nothing was judged | fix the command |
//! | 3 | the log or a witness could not answer (unreachable, busy, 5xx, timeout) | run the same command again |
//! | 4 | the log forked: two signed checkpoints that cannot both be honest | keep the evidence and publish it |
//! | 5 | TLS: the server's certificate is not trusted, expired or for another name | fix the trust set-up (`--ca-file`), do not retry |

/// Done; everything checked verified.
pub const OK: u8 = 0;
/// The log refused the statement, or a check failed.
pub const FAILED: u8 = 1;
/// Bad flags or a local problem (file, key, config); nothing was judged.
pub const USAGE: u8 = 2;
/// The log or a witness could not answer; the same command can be run again.
pub const UNAVAILABLE: u8 = 3;
/// The log forked.
pub const FORK: u8 = 4;
/// A TLS failure: the server's certificate was refused. Not temporary.
pub const TLS: u8 = 5;

/// The table as text, for `--help` of every program.
pub const HELP: &str = "\
Exit codes (the same in every Docket program):
  0  done; everything checked verified
  1  the log refused the statement, or a check failed
  2  bad flags or a local problem (file, key, config); nothing was judged
  3  the log or a witness could not answer (unreachable, busy, failed): run it again
  4  the log forked: keep the evidence printed
  5  TLS: the server's certificate is not trusted, expired or for another name";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conventions_page_has_the_same_table() {
        let doc = include_str!("../../docs/conventions.md");
        let rows: Vec<u8> = doc
            .lines()
            .filter_map(|line| line.strip_prefix("| "))
            .filter_map(|rest| rest.split(' ').next())
            .filter_map(|code| code.parse().ok())
            .collect();
        assert_eq!(rows, vec![OK, FAILED, USAGE, UNAVAILABLE, FORK, TLS]);
    }

    #[test]
    fn the_help_text_lists_every_code_once() {
        for code in [OK, FAILED, USAGE, UNAVAILABLE, FORK, TLS] {
            let line = format!("  {code}  ");
            assert_eq!(HELP.matches(&line).count(), 1, "{code}");
        }
    }
}
