//! The scripts' output style: `[INFO]`, `[SUCCESS]`, `[WARNING]`, `[ERROR]` lines on
//! stderr, colour only on a terminal and never with `NO_COLOR`; one JSON document on stdout
//! with `--output json`.

use std::ffi::OsStr;
use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::exit::{Exit, Failure};

/// What goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-readable lines (on stderr), as the bash scripts printed.
    #[default]
    Text,
    /// One JSON document on stdout, for machines.
    Json,
}

/// The level of a report line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `[INFO]`
    Info,
    /// `[SUCCESS]`
    Success,
    /// `[WARNING]`
    Warning,
    /// `[ERROR]`
    Error,
}

impl Level {
    fn tag(self) -> &'static str {
        match self {
            Level::Info => "[INFO]",
            Level::Success => "[SUCCESS]",
            Level::Warning => "[WARNING]",
            Level::Error => "[ERROR]",
        }
    }

    fn style(self) -> Style {
        let color = match self {
            Level::Info => AnsiColor::Blue,
            Level::Success => AnsiColor::Green,
            Level::Warning => AnsiColor::Yellow,
            Level::Error => AnsiColor::Red,
        };
        Style::new().fg_color(Some(color.into())).bold()
    }
}

/// Whether to colour a stream: only when it is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn use_color(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

type Sink = Arc<Mutex<dyn Write + Send>>;

/// Writes report lines to stderr (or, in tests, to a buffer).
#[derive(Clone)]
pub struct Reporter {
    sink: Sink,
    color: bool,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("color", &self.color)
            .finish()
    }
}

impl Reporter {
    /// Reports to stderr, coloured if stderr is a terminal and `NO_COLOR` is not set.
    pub fn stderr() -> Reporter {
        let color = use_color(
            io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        Reporter {
            sink: Arc::new(Mutex::new(io::stderr())),
            color,
        }
    }

    /// Reports to stderr through a buffer, for a binary that reports many lines (one per
    /// registry entry); [`finish`] flushes it, and so does dropping the last clone.
    pub fn stderr_buffered() -> Reporter {
        let color = use_color(
            io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        Reporter {
            sink: Arc::new(Mutex::new(io::BufWriter::with_capacity(
                1 << 16,
                io::stderr(),
            ))),
            color,
        }
    }

    /// Writes out what a buffered reporter holds.
    pub fn flush(&self) {
        let mut sink = self
            .sink
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = sink.flush();
    }

    /// Reports to any writer, for tests.
    pub fn to_writer(writer: impl Write + Send + 'static, color: bool) -> Reporter {
        Reporter {
            sink: Arc::new(Mutex::new(writer)),
            color,
        }
    }

    /// Whether lines are coloured.
    pub fn is_colored(&self) -> bool {
        self.color
    }

    /// One `[LEVEL] message` line. Errors writing to stderr are ignored: there is nowhere
    /// left to report them.
    pub fn report(&self, level: Level, message: impl Display) {
        let tag = level.tag();
        let message = continued(&escape_controls(&message.to_string()));
        let line = if self.color {
            let style = level.style();
            format!("{style}{tag}{style:#} {message}")
        } else {
            format!("{tag} {message}")
        };
        self.write_line(&line);
    }

    /// `[INFO] message`
    pub fn info(&self, message: impl Display) {
        self.report(Level::Info, message);
    }

    /// `[SUCCESS] message`
    pub fn success(&self, message: impl Display) {
        self.report(Level::Success, message);
    }

    /// `[WARNING] message`
    pub fn warning(&self, message: impl Display) {
        self.report(Level::Warning, message);
    }

    /// `[ERROR] message`
    pub fn error(&self, message: impl Display) {
        self.report(Level::Error, message);
    }

    /// `hint: text`, dimmed on a terminal.
    pub fn hint(&self, text: impl Display) {
        let text = continued(&escape_controls(&text.to_string()));
        if self.color {
            let style = Style::new().dimmed();
            self.write_line(&format!("{style}hint:{style:#} {text}"));
        } else {
            self.write_line(&format!("hint: {text}"));
        }
    }

    /// A section heading in the scripts' style: `╭─ title`.
    pub fn heading(&self, title: impl Display) {
        let title = escape_controls(&title.to_string()).into_owned();
        if self.color {
            let style = Style::new().bold();
            self.write_line(&format!("{style}╭─ {title}{style:#}"));
        } else {
            self.write_line(&format!("╭─ {title}"));
        }
    }

    /// A line as it is (indented detail lines, blank lines), control characters escaped.
    pub fn raw(&self, line: &str) {
        self.write_line(&escape_controls(line));
    }

    /// A line exactly as given (the reporter's own styling).
    fn write_line(&self, line: &str) {
        let mut sink = self
            .sink
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = writeln!(sink, "{line}");
    }
}

/// Writes `value` as one pretty JSON document and a newline to `out`.
pub fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<(), Failure> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|error| {
        match error.io_error_kind() {
            Some(kind) => Failure::from(io::Error::from(kind)),
            None => Failure::external(format!("cannot write JSON: {error}")),
        }
    })?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Escapes the control characters of `text` but the line break (`\x1b`, `\r`, `\t`,
/// `\u{9b}`), so that what came from AWS, a file or the command line cannot move the
/// cursor, recolour the terminal or overwrite a line (the reporter also indents a message's
/// later lines).
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push(c),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A message's later lines indented, so that no line of a message (one read from a file
/// or from AWS, say) can pass for a line of its own, such as a `[SUCCESS]`.
fn continued(message: &str) -> String {
    message.replace('\n', "\n    ")
}

/// The configuration file this run read: set once, by the first look for it.
static CONFIG_FILE: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();

/// Records which `shared-config.toml` the run uses (`None`: none) and, with text output,
/// says so in an `[INFO]` line, once; JSON documents carry it as `config_file`.
pub fn config_used(path: Option<&std::path::Path>, format: OutputFormat) {
    let absolute = path.map(|path| std::path::absolute(path).unwrap_or_else(|_| path.to_owned()));
    if CONFIG_FILE.set(absolute.clone()).is_ok() && format == OutputFormat::Text {
        let reporter = Reporter::stderr();
        match absolute {
            Some(path) => reporter.info(format!("Configuration: {}", path.display())),
            None => reporter.info(
                "Configuration: none (no shared-config.toml in this folder or up to the repository root)",
            ),
        }
    }
}

/// Writes `value` as the JSON document of stdout, with the configuration file the run read
/// as `config_file` (an object's last field) once one was looked for.
pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    write_json(&mut io::stdout().lock(), &with_config_file(value)?)
}

/// Writes `value` to stdout as it is: documents with a schema of their own (an IAM policy,
/// SARIF).
pub fn print_raw_json(value: &impl Serialize) -> Result<(), Failure> {
    write_json(&mut io::stdout().lock(), value)
}

fn with_config_file(value: &impl Serialize) -> Result<serde_json::Value, Failure> {
    let mut document = serde_json::to_value(value)
        .map_err(|error| Failure::external(format!("cannot write JSON: {error}")))?;
    if let (Some(config), serde_json::Value::Object(fields)) = (CONFIG_FILE.get(), &mut document) {
        fields.insert("config_file".to_owned(), serde_json::json!(config));
    }
    Ok(document)
}

#[derive(Serialize)]
struct ErrorDocument<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    exit_code: u8,
}

/// Ends a binary: reports a failure (`[ERROR]` and `hint:` on stderr, and with
/// `--output json` an `{"error": ...}` document on stdout) and turns the outcome into the
/// process exit code.
pub fn finish(
    reporter: &Reporter,
    format: OutputFormat,
    outcome: Result<Exit, Failure>,
) -> std::process::ExitCode {
    finish_to(reporter, format, outcome, &mut io::stdout().lock()).into()
}

/// [`finish`], writing the JSON error document to `stdout`; returns the exit code.
pub fn finish_to(
    reporter: &Reporter,
    format: OutputFormat,
    outcome: Result<Exit, Failure>,
    stdout: &mut impl Write,
) -> Exit {
    let failure = match outcome {
        Ok(exit) => {
            reporter.flush();
            return exit;
        }
        Err(failure) if failure.is_quiet() => return failure.exit(),
        Err(failure) => failure,
    };
    reporter.error(failure.message());
    if let Some(hint) = failure.hint() {
        reporter.hint(hint);
    }
    if format == OutputFormat::Json {
        let error = ErrorBody {
            message: failure.message(),
            hint: failure.hint(),
            exit_code: failure.exit().code(),
        };
        // One document: what was done before the failure, with the error in it; or the
        // error alone.
        let document = match failure.document() {
            Some(serde_json::Value::Object(fields)) => {
                let mut fields = fields.clone();
                fields.insert("error".to_owned(), serde_json::json!(error));
                serde_json::Value::Object(fields)
            }
            _ => serde_json::json!(ErrorDocument { error }),
        };
        // The error is already on stderr; a closed stdout changes nothing.
        if let Ok(document) = with_config_file(&document) {
            let _ = write_json(stdout, &document);
        }
    }
    reporter.flush();
    failure.exit()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A writer whose contents a test can read back.
    #[derive(Clone, Default)]
    pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        pub(crate) fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn control_characters_are_escaped_in_every_kind_of_line() {
        let captured = Captured::default();
        let reporter = Reporter::to_writer(captured.clone(), false);
        let hostile = "who\u{1b}[2J\r\tnext\u{9b}31m\u{7}";
        reporter.error(format!("bucket `{hostile}` is invalid"));
        reporter.hint(hostile);
        reporter.heading(hostile);
        reporter.raw(hostile);
        let escaped = r"who\x1b[2J\r\tnext\u{9b}31m\x07";
        assert_eq!(
            captured.text(),
            format!(
                "[ERROR] bucket `{escaped}` is invalid\nhint: {escaped}\n╭─ {escaped}\n{escaped}\n"
            )
        );
        // Colour codes of the reporter's own are kept.
        let coloured = Captured::default();
        Reporter::to_writer(coloured.clone(), true).info("plain");
        assert!(coloured.text().contains('\u{1b}'));
        assert_eq!(escape_controls("line one\nline two"), "line one\nline two");
        // A second line of a message cannot pass for a report line of its own.
        let spoof = Captured::default();
        Reporter::to_writer(spoof.clone(), false).info("holder alice\n[SUCCESS] all clear");
        assert_eq!(
            spoof.text(),
            "[INFO] holder alice\n    [SUCCESS] all clear\n"
        );
    }

    #[test]
    fn lines_have_the_scripts_tags_and_no_escape_codes_without_colour() {
        let captured = Captured::default();
        let reporter = Reporter::to_writer(captured.clone(), false);
        reporter.heading("Verifying bucket: b");
        reporter.info("Checking Versioning...");
        reporter.success("✓ Versioning: ENABLED");
        reporter.warning("bucket is empty");
        reporter.error("bucket not found");
        reporter.hint("run provision-s3-infrastructure");
        assert_eq!(
            captured.text(),
            "╭─ Verifying bucket: b\n[INFO] Checking Versioning...\n[SUCCESS] ✓ Versioning: ENABLED\n\
             [WARNING] bucket is empty\n[ERROR] bucket not found\nhint: run provision-s3-infrastructure\n"
        );
    }

    #[test]
    fn colour_wraps_the_tag_only() {
        let captured = Captured::default();
        Reporter::to_writer(captured.clone(), true).success("done");
        assert_eq!(
            captured.text(),
            "\u{1b}[1m\u{1b}[32m[SUCCESS]\u{1b}[0m done\n"
        );
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(use_color(true, None));
        assert!(use_color(true, Some(OsStr::new(""))));
        assert!(!use_color(true, Some(OsStr::new("1"))));
        assert!(!use_color(false, None));
    }

    #[test]
    fn a_failure_is_reported_once_with_its_hint_and_its_code() {
        let captured = Captured::default();
        let reporter = Reporter::to_writer(captured.clone(), false);
        let mut stdout = Vec::new();
        let failure =
            Failure::refused("refusing to delete without confirmation").with_hint("pass --force");
        let exit = finish_to(&reporter, OutputFormat::Text, Err(failure), &mut stdout);
        assert_eq!(exit, Exit::Refused);
        assert_eq!(
            captured.text(),
            "[ERROR] refusing to delete without confirmation\nhint: pass --force\n"
        );
        assert!(stdout.is_empty(), "text mode writes nothing to stdout");
    }

    #[test]
    fn in_json_mode_a_failure_is_also_a_json_document_on_stdout() {
        let reporter = Reporter::to_writer(Captured::default(), false);
        let mut stdout = Vec::new();
        let failure = Failure::usage("invalid region `mars-1`: is not an AWS region");
        let exit = finish_to(&reporter, OutputFormat::Json, Err(failure), &mut stdout);
        assert_eq!(exit, Exit::Usage);
        let document: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
        assert_eq!(document["error"]["exit_code"], 2);
        assert_eq!(
            document["error"]["message"],
            "invalid region `mars-1`: is not an AWS region"
        );
        assert!(document["error"].get("hint").is_none());
    }

    #[test]
    fn success_and_a_closed_pipe_print_nothing() {
        let captured = Captured::default();
        let reporter = Reporter::to_writer(captured.clone(), false);
        let mut stdout = Vec::new();
        assert_eq!(
            finish_to(
                &reporter,
                OutputFormat::Json,
                Ok(Exit::Findings),
                &mut stdout
            ),
            Exit::Findings
        );
        let pipe = Failure::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(
            finish_to(&reporter, OutputFormat::Json, Err(pipe), &mut stdout),
            Exit::Success
        );
        assert!(captured.text().is_empty() && stdout.is_empty());
    }

    #[test]
    fn json_goes_out_whole_and_a_closed_reader_is_a_quiet_failure() {
        let mut out = Vec::new();
        write_json(&mut out, &serde_json::json!({"buckets": ["a", "b"]})).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"buckets\": [\n    \"a\",\n    \"b\"\n  ]\n}\n"
        );

        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let failure = write_json(&mut Closed, &serde_json::json!([1])).unwrap_err();
        assert!(failure.is_quiet());
    }
}
