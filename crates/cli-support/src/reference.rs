//! What a binary says about itself, all from its clap definition: `--version` with the
//! commit it was built from, and behind the hidden `--generate KIND` its man page and its
//! bash, zsh and fish completions (`cargo xtask dist` packs them; a user can regenerate
//! them from an installed binary). [`undocumented`] compares a `docs/` page with the
//! definition, so the docs name every flag and no flag that does not exist.

use std::collections::BTreeSet;
use std::io::Write;

use clap::{Arg, ArgAction, Command, CommandFactory, Parser};
use clap_complete::Shell;

/// The commit the binaries were built from: `abc1234 2026-11-22` (see `build.rs`).
pub const COMMIT: &str = env!("TFSTATE_TOOLKIT_COMMIT");

/// The hidden flag that prints a generated file instead of running the command.
const GENERATE: &str = "generate";

/// The files `--generate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generated {
    /// The man page, in roff (section 1)
    Man,
    /// The bash completion script
    Bash,
    /// The zsh completion function (`_name`)
    Zsh,
    /// The fish completions
    Fish,
}

impl Generated {
    /// Every kind, in the order `cargo xtask dist` writes them.
    pub const ALL: [Self; 4] = [Self::Man, Self::Bash, Self::Zsh, Self::Fish];

    /// The value of `--generate` for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Man => "man",
            Self::Bash => "bash",
            Self::Zsh => "zsh",
            Self::Fish => "fish",
        }
    }
}

/// The binary's clap definition with `--version` saying the commit:
/// `name 0.1.0 (abc1234 2026-11-22)`.
pub fn command<C: CommandFactory>() -> Command {
    let command = C::command();
    let version = format!("{} ({COMMIT})", command.get_version().unwrap_or("0.0.0"));
    command.version(version)
}

/// Parses the command line as `C::parse()` does (a usage error exits 2 with clap's
/// message), after answering a lone `--generate KIND` by printing that file and exiting 0.
pub fn parse<C: Parser>() -> C {
    if let Some(kind) = generate_request(std::env::args_os()) {
        let mut out = std::io::stdout().lock();
        let written = generate(command::<C>(), kind, &mut out).and_then(|()| out.flush());
        std::process::exit(match written {
            Ok(()) => 0,
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(error) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("[ERROR] cannot write the {}: {error}", kind.as_str());
                }
                3
            }
        });
    }
    let mut command = command::<C>();
    let mut matches = command.clone().get_matches();
    C::from_arg_matches_mut(&mut matches).unwrap_or_else(|error| error.format(&mut command).exit())
}

/// `Some(kind)` when the arguments are exactly `--generate KIND`: asked before the
/// binary's own parse, whose required flags would refuse the lone hidden flag.
fn generate_request<I, T>(args: I) -> Option<Generated>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Command::new("generate")
        .arg(
            Arg::new(GENERATE)
                .long(GENERATE)
                .value_parser(clap::value_parser!(Generated))
                .action(ArgAction::Set)
                .required(true),
        )
        .try_get_matches_from(args)
        .ok()?
        .get_one::<Generated>(GENERATE)
        .copied()
}

/// Writes the man page or a completion script of `command`.
pub fn generate(mut command: Command, kind: Generated, out: &mut dyn Write) -> std::io::Result<()> {
    let name = command.get_name().to_owned();
    let shell = match kind {
        Generated::Man => return render_man(command, out),
        Generated::Bash => Shell::Bash,
        Generated::Zsh => Shell::Zsh,
        Generated::Fish => Shell::Fish,
    };
    // clap_complete panics when the writer fails (a full disk, /dev/full): write to memory,
    // then copy, so a write error is an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    out.write_all(&script)
}

/// The exit codes every binary shares (`crate::Exit`), for the man page.
const EXIT_STATUS: [(u8, &str); 5] = [
    (0, "done; every check passed"),
    (
        1,
        "the checks ran and found problems (validation, audit, sync)",
    ),
    (2, "bad usage or invalid input; nothing was changed"),
    (3, "an AWS or I/O failure"),
    (
        4,
        "refused for safety: declined, or no terminal to ask on and no --force",
    ),
];

/// The man page: clap_mangen's sections, then the examples of `after_help` kept as written
/// (no-fill), the exit status, and where the full page is.
fn render_man(command: Command, out: &mut dyn Write) -> std::io::Result<()> {
    let name = command.get_name().to_owned();
    let examples = command
        .get_after_help()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let man = clap_mangen::Man::new(command.after_help(None::<&str>));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if !examples.trim().is_empty() {
        let body = examples
            .trim()
            .strip_prefix("Examples:")
            .unwrap_or(&examples);
        writeln!(out, ".SH EXAMPLES\n.nf")?;
        for line in body.trim_matches('\n').lines() {
            writeln!(out, "{}", roff_line(line))?;
        }
        writeln!(out, ".fi")?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in EXIT_STATUS {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff_line(meaning))?;
    }
    writeln!(
        out,
        ".SH \"SEE ALSO\"\nThe page {}, installed under share/doc/tfstate\\-toolkit/docs/commands/, \
         and the toolkit's other commands.",
        roff_line(&format!("{name}.md"))
    )?;
    man.render_version_section(out)
}

/// One line of text as roff: backslashes and hyphens escaped, a leading `.` or `'` kept
/// literal.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// The flags a user can type: every visible `--long` and `-s` of the command and of its
/// subcommands, `--help` and `--version` included.
pub fn flags(command: &Command) -> BTreeSet<String> {
    let mut command = command.clone();
    command.build();
    let mut found = BTreeSet::new();
    collect_flags(&command, &mut found);
    found
}

/// The flags of `command` and of each of its subcommands.
fn collect_flags(command: &Command, found: &mut BTreeSet<String>) {
    for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
        found.extend(arg.get_long().map(|long| format!("--{long}")));
        found.extend(arg.get_short().map(|short| format!("-{short}")));
    }
    for subcommand in command.get_subcommands() {
        collect_flags(subcommand, found);
    }
}

/// The flags a docs page documents: the `--long` and `-s` in the first cell of each table
/// row under its `## Flags` heading (up to the next `## ` heading).
pub fn documented_flags(page: &str) -> BTreeSet<String> {
    let mut in_flags = false;
    let mut found = BTreeSet::new();
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_flags = heading.trim() == "Flags";
            continue;
        }
        let Some(row) = line.strip_prefix('|').filter(|_| in_flags) else {
            continue;
        };
        let cell = row.split('|').next().unwrap_or_default();
        for token in cell.split(|c: char| c == '`' || c == ',' || c.is_whitespace()) {
            let name = token.split(['=', '<', '[']).next().unwrap_or_default();
            let is_long = name.starts_with("--")
                && name[2..].starts_with(|c: char| c.is_ascii_alphanumeric())
                && name[2..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            let is_short = name.len() == 2
                && name.starts_with('-')
                && name[1..].chars().all(|c| c.is_ascii_alphanumeric());
            if is_long || is_short {
                found.insert(name.to_owned());
            }
        }
    }
    found
}

/// What a docs page gets wrong about `command`'s flags: one line per flag it misses and per
/// flag it names that does not exist; empty when the page and the definition agree.
pub fn undocumented(command: &Command, page: &str) -> Vec<String> {
    let defined = flags(command);
    let documented = documented_flags(page);
    let missing = defined
        .difference(&documented)
        .map(|flag| format!("{flag} is a flag but the page's ## Flags table does not list it"));
    let unknown = documented
        .difference(&defined)
        .map(|flag| format!("{flag} is listed under ## Flags but is no flag of the binary"));
    missing.chain(unknown).collect()
}

/// Panics with every difference between the docs page at `path` (its text in `page`) and
/// the flags of `C`: the test each binary runs on its `docs/commands/` page.
pub fn assert_documented<C: CommandFactory>(path: &str, page: &str) {
    let problems = undocumented(&command::<C>(), page);
    assert!(
        problems.is_empty(),
        "{path} disagrees with the clap definition:\n  {}",
        problems.join("\n  ")
    );
}

/// The test each command runs on its binary's page, `docs/commands/{binary}.md`: write
/// `cli_support::docs_page_test!(Cli, "binary-name");` in the command's module.
#[macro_export]
macro_rules! docs_page_test {
    ($cli:ty, $name:literal) => {
        /// The binary's docs page lists every flag, and no flag that does not exist.
        #[cfg(test)]
        #[test]
        fn the_docs_page_lists_every_flag() {
            $crate::reference::assert_documented::<$cli>(
                concat!("docs/commands/", $name, ".md"),
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../docs/commands/",
                    $name,
                    ".md"
                )),
            );
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A definition like the binaries': required flags, a positional, a short flag.
    #[derive(Debug, Parser)]
    #[command(
        name = "sample-tool",
        version,
        about = "A sample",
        after_help = "Examples:\n  sample-tool eu-west-1"
    )]
    struct Sample {
        /// The client
        client: String,
        /// The region
        #[arg(long, required = true)]
        region: String,
        /// More output
        #[arg(short, long, action = ArgAction::Count)]
        verbose: u8,
        /// Not shown
        #[arg(long, hide = true)]
        secret: bool,
    }

    #[test]
    fn the_version_names_the_commit() {
        let version = command::<Sample>().render_version();
        assert_eq!(
            version.trim(),
            format!("sample-tool {} ({COMMIT})", env!("CARGO_PKG_VERSION"))
        );
        assert!(!COMMIT.is_empty());
    }

    #[test]
    fn each_generated_file_names_the_binary_and_its_flags() {
        for kind in Generated::ALL {
            let mut out = Vec::new();
            generate(command::<Sample>(), kind, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("sample-tool"), "{kind:?}: {text}");
            assert!(text.contains("region"), "{kind:?} misses --region: {text}");
            if kind == Generated::Man {
                assert!(!text.contains("secret"), "the man page shows a hidden flag");
                assert!(text.contains(".SH EXAMPLES\n.nf\n  sample\\-tool eu\\-west\\-1\n.fi\n"));
                assert!(text.contains(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\n"));
            }
        }
    }

    #[test]
    fn generate_is_answered_only_when_alone() {
        let ask = |args: &[&str]| generate_request(args.iter().copied());
        assert_eq!(ask(&["tool", "--generate", "zsh"]), Some(Generated::Zsh));
        assert_eq!(ask(&["tool", "--generate=man"]), Some(Generated::Man));
        assert_eq!(ask(&["tool", "--generate", "zsh", "--region", "x"]), None);
        assert_eq!(ask(&["tool", "--generate", "powershell"]), None);
        assert_eq!(ask(&["tool", "--region", "x"]), None);
        assert_eq!(ask(&["tool"]), None);
    }

    #[test]
    fn a_page_is_checked_against_the_definition_both_ways() {
        let page = "# sample-tool\n\n## Flags\n\n| flag | meaning |\n|---|---|\n\
                    | `--region <REGION>` | the region |\n| `-v`, `--verbose` | more |\n\
                    | `--colour` | no such flag |\n\n## Exit codes\n\n| `--help` | not here |\n";
        let problems = undocumented(&command::<Sample>(), page);
        assert_eq!(
            problems,
            [
                "--help is a flag but the page's ## Flags table does not list it",
                "--version is a flag but the page's ## Flags table does not list it",
                "-V is a flag but the page's ## Flags table does not list it",
                "-h is a flag but the page's ## Flags table does not list it",
                "--colour is listed under ## Flags but is no flag of the binary",
            ]
        );
        let fixed = page
            .replace("| `--colour` | no such flag |", "| `-h`, `--help` | help |")
            .replace(
                "## Exit codes",
                "| `-V`, `--version` | version |\n\n## Exit codes",
            );
        assert_eq!(
            undocumented(&command::<Sample>(), &fixed),
            Vec::<String>::new()
        );
    }
}
