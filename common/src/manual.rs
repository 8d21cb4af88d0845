//! Shell completions and man pages, generated from each program's clap definition so
//! they cannot drift from the flags (`docket completions bash`, `verifier man`, ...).

use std::io::Write;

/// The shells completions can be generated for.
pub use clap_complete::Shell;

/// Writes `shell`'s completion script for `cmd` to `out`.
pub fn completions(mut cmd: clap::Command, shell: Shell, out: &mut dyn Write) {
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, out);
}

/// Writes `cmd`'s man page (roff, section 1) to `out`.
pub fn man_page(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(cmd).render(out)
}

/// The `completions` / `man` subcommands every program offers.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ManualCommand {
    /// Print a shell completion script, e.g. `completions bash > /etc/bash_completion.d/NAME`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: Shell,
    },
    /// Print the man page (roff), e.g. `man > /usr/local/share/man/man1/NAME.1`.
    Man,
}

impl ManualCommand {
    /// Writes what was asked for `cmd` to `out`.
    pub fn run(&self, cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            ManualCommand::Completions { shell } => {
                completions(cmd, *shell, out);
                Ok(())
            }
            ManualCommand::Man => man_page(cmd, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> clap::Command {
        clap::Command::new("demo")
            .about("a demo")
            .arg(clap::Arg::new("log-key").long("log-key"))
    }

    #[test]
    fn completions_and_man_pages_name_the_flags() {
        let mut out = Vec::new();
        ManualCommand::Completions { shell: Shell::Bash }
            .run(demo(), &mut out)
            .unwrap();
        assert!(String::from_utf8_lossy(&out).contains("--log-key"));
        let mut man = Vec::new();
        ManualCommand::Man.run(demo(), &mut man).unwrap();
        let man = String::from_utf8_lossy(&man);
        assert!(man.contains(".TH demo"), "{man}");
        assert!(man.contains("log\\-key"), "{man}");
    }
}
