//! The confirmation rule: anything that changes or deletes AWS resources asks on a
//! terminal; `--force` skips ordinary prompts; without a terminal and without `--force` it
//! refuses with exit 4.

use std::io::{self, BufRead, IsTerminal, Write};

use crate::exit::Failure;

/// Asks the user questions.
pub trait Prompter {
    /// Whether there is a person to ask: stdin and stderr are terminals.
    fn is_interactive(&self) -> bool;
    /// Shows `prompt` and reads one line of answer (without the newline).
    fn ask(&mut self, prompt: &str) -> io::Result<String>;
}

/// The real terminal: prompts on stderr, answers from stdin.
#[derive(Debug, Default, Clone, Copy)]
pub struct Terminal;

impl Prompter for Terminal {
    fn is_interactive(&self) -> bool {
        io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    fn ask(&mut self, prompt: &str) -> io::Result<String> {
        let mut stderr = io::stderr().lock();
        write!(stderr, "{prompt} ")?;
        stderr.flush()?;
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        Ok(answer.trim_end_matches(['\n', '\r']).to_owned())
    }
}

/// Asks "`Action`? [y/N]" unless `force`; refuses without a terminal.
///
/// `action` is a verb phrase: "delete 3 buckets", "create the lock table".
pub fn confirm(prompter: &mut dyn Prompter, action: &str, force: bool) -> Result<(), Failure> {
    if force {
        return Ok(());
    }
    if !prompter.is_interactive() {
        return Err(Failure::refused(format!(
            "refusing to {action} without confirmation: no terminal to ask on"
        ))
        .with_hint(
            "pass --force to proceed without asking, or --dry-run to see what would change",
        ));
    }
    let answer = prompter.ask(&format!("{}? [y/N]", capitalize(action)))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::refused(format!("declined: did not {action}")))
    }
}

/// Asks the user to type `expected` (a bucket name, a phrase) to go ahead with `action`.
///
/// `confirmed_without_terminal` is how the caller lets a non-interactive run through (for
/// the state bucket: `--force` and `--confirm-bucket NAME` together); when it is false and
/// there is no terminal, the run is refused with `hint`.
pub fn confirm_typed(
    prompter: &mut dyn Prompter,
    action: &str,
    expected: &str,
    confirmed_without_terminal: bool,
    hint: &str,
) -> Result<(), Failure> {
    if confirmed_without_terminal {
        return Ok(());
    }
    if !prompter.is_interactive() {
        return Err(Failure::refused(format!(
            "refusing to {action} without confirmation: no terminal to ask on"
        ))
        .with_hint(hint));
    }
    let answer = prompter.ask(&format!("Type `{expected}` to {action}:"))?;
    if answer.trim() == expected {
        Ok(())
    } else {
        Err(Failure::refused(format!(
            "declined: `{}` is not `{expected}`; did not {action}",
            answer.trim()
        )))
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    /// A scripted user.
    struct Scripted {
        interactive: bool,
        answers: Vec<&'static str>,
        prompts: Vec<String>,
    }

    impl Scripted {
        fn new(interactive: bool, answers: &[&'static str]) -> Scripted {
            Scripted {
                interactive,
                answers: answers.iter().rev().copied().collect(),
                prompts: Vec::new(),
            }
        }
    }

    impl Prompter for Scripted {
        fn is_interactive(&self) -> bool {
            self.interactive
        }
        fn ask(&mut self, prompt: &str) -> io::Result<String> {
            self.prompts.push(prompt.to_owned());
            Ok(self.answers.pop().expect("asked once too often").to_owned())
        }
    }

    #[test]
    fn force_proceeds_without_asking_even_without_a_terminal() {
        let mut user = Scripted::new(false, &[]);
        confirm(&mut user, "delete 3 buckets", true).unwrap();
        assert!(user.prompts.is_empty());
    }

    #[test]
    fn without_a_terminal_and_without_force_it_refuses_with_exit_4() {
        let mut user = Scripted::new(false, &[]);
        let failure = confirm(&mut user, "delete 3 buckets", false).unwrap_err();
        assert_eq!(failure.exit(), Exit::Refused);
        assert_eq!(
            failure.message(),
            "refusing to delete 3 buckets without confirmation: no terminal to ask on"
        );
        assert!(failure.hint().unwrap().contains("--force"));
        assert!(user.prompts.is_empty());
    }

    #[test]
    fn on_a_terminal_only_yes_proceeds() {
        for (answer, proceeds) in [
            ("y", true),
            ("YES", true),
            (" yes ", true),
            ("", false),
            ("n", false),
            ("yep", false),
        ] {
            let mut user = Scripted::new(true, &[answer]);
            let outcome = confirm(&mut user, "create the lock table", false);
            assert_eq!(outcome.is_ok(), proceeds, "answer {answer:?}");
            assert_eq!(user.prompts, ["Create the lock table? [y/N]"]);
            if let Err(failure) = outcome {
                assert_eq!(failure.exit(), Exit::Refused);
            }
        }
    }

    #[test]
    fn typed_confirmation_needs_the_exact_name() {
        let mut user = Scripted::new(true, &["ohio-01-terraform-state-production"]);
        confirm_typed(
            &mut user,
            "delete it",
            "ohio-01-terraform-state-production",
            false,
            "h",
        )
        .unwrap();
        assert_eq!(
            user.prompts,
            ["Type `ohio-01-terraform-state-production` to delete it:"]
        );

        let mut user = Scripted::new(true, &["y"]);
        let failure = confirm_typed(&mut user, "delete it", "state", false, "h").unwrap_err();
        assert_eq!(
            failure.message(),
            "declined: `y` is not `state`; did not delete it"
        );

        let mut user = Scripted::new(false, &[]);
        let failure = confirm_typed(
            &mut user,
            "delete it",
            "state",
            false,
            "pass --confirm-bucket",
        )
        .unwrap_err();
        assert_eq!(
            (failure.exit(), failure.hint()),
            (Exit::Refused, Some("pass --confirm-bucket"))
        );

        let mut user = Scripted::new(false, &[]);
        confirm_typed(&mut user, "delete it", "state", true, "h").unwrap();
    }
}
