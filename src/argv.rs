//! The shape of argv around the clap definition in `cli`: options given before a
//! subcommand (`runas -v diagnose prod`), empty environment variables, what the shell
//! completes once PROFILE is given (the command's words, not runas's), and the plain
//! `runas PROFILE [--] COMMAND...` of the warm path, recognised without building the clap
//! definition.

use crate::cli::{Cli, CredentialArgs, Output, RunArgs};
use crate::commands::SUBCOMMANDS;
use crate::variables;
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};
use clap_complete::engine::{
    ArgValueCompleter, CompletionCandidate, PathCompleter, ValueCompleter,
};
use std::ffi::{OsStr, OsString};

/// Parses argv as `runas` does. A word after PROFILE is the command's, never a subcommand
/// of runas (`runas prod help` runs `help`), so subcommands come first; options given before
/// a subcommand (`runas -v diagnose prod`) are moved behind its name.
pub fn parse(mut args: Vec<OsString>) -> Cli {
    if let Some(cli) = plain_run(&args, |name| std::env::var_os(name).is_some()) {
        return cli;
    }
    let command = with_older_names(without_empty_env(Cli::command()));
    let leading = leading_options(&command, &args);
    let next = args.get(1 + leading).and_then(|a| a.to_str());
    if leading > 0 && next.is_some_and(|w| SUBCOMMANDS[..SUBCOMMANDS.len() - 1].contains(&w)) {
        // After `ecr`, `serve` and `sso`, the options belong to their own subcommands
        // (`ecr login`, `serve ecs`, `sso login`).
        let nested =
            matches!(next, Some("ecr" | "serve" | "sso")) && args.get(2 + leading).is_some();
        let at = 1 + leading + if nested { 2 } else { 1 };
        let options: Vec<OsString> = args.drain(1..1 + leading).collect();
        let at = at - options.len();
        args.splice(at..at, options);
    }
    let matches: ArgMatches = command.get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The variables that stand for runas's own options (`env = ...` in `cli`, and the older
/// names of [`with_older_names`]): when one is set, clap reads it.
const OPTION_VARIABLES: [&str; 9] = [
    variables::RUNAS_OUTPUT.name,
    variables::RUNAS_OUTPUT_FORMAT.name,
    variables::RUNAS_WRITE_CREDENTIALS.name,
    variables::RUNAS_SERVE.name,
    variables::SESSION_TOKEN_DURATION.name,
    variables::CREDENTIALS_DURATION.name,
    variables::MFA_CODE.name,
    variables::MFA_SERIAL.name,
    variables::EXTERNAL_ID.name,
];

/// The hidden subcommand beside [`SUBCOMMANDS`].
const GENERATE_DOCS: &str = "generate-docs";

/// `runas PROFILE [--] [COMMAND...]` with no option and no option variable set: what clap
/// would make of it, without building the clap definition (most of a warm run's own work).
/// Anything else is `None`, and clap parses it. The tests compare both on every shape of
/// argv they can make.
fn plain_run(args: &[OsString], is_set: impl Fn(&str) -> bool) -> Option<Cli> {
    let profile = args.get(1)?.to_str()?;
    let plain_word = |w: &str| !w.is_empty() && !w.starts_with('-');
    if !plain_word(profile) || SUBCOMMANDS.contains(&profile) || profile == GENERATE_DOCS {
        return None;
    }
    if OPTION_VARIABLES.iter().any(|name| is_set(name)) {
        return None;
    }
    let mut command = args.get(2..).unwrap_or_default();
    if let Some(first) = command.first() {
        // After the first word of COMMAND every word is COMMAND's, but a first word that
        // looks like an option may be runas's.
        if first == "--" {
            command = &command[1..];
        } else if first.as_encoded_bytes().starts_with(b"-") {
            return None;
        }
    }
    Some(Cli {
        subcommand: None,
        run: RunArgs {
            profile: Some(profile.to_owned()),
            command: command.to_vec(),
            credentials: CredentialArgs {
                region: None,
                session_duration: None,
                role_duration: None,
                otp: None,
                mfa_serial: None,
                external_id: None,
                session: false,
                refresh: false,
            },
            output: Output::Env,
            expiration: false,
            whoami: false,
            write_credentials: false,
            diagnose: false,
            serve: false,
        },
        verbose: 0,
    })
}

/// How many words after the program name are runas's own options (with their values).
fn leading_options(command: &Command, args: &[OsString]) -> usize {
    let takes_value = |arg: Option<&Arg>| arg.is_some_and(|a| a.get_action().takes_values());
    let mut i = 1;
    while let Some(word) = args.get(i).and_then(|a| a.to_str()) {
        if word == "--" || !word.starts_with('-') || word == "-" {
            break;
        }
        i += 1;
        if let Some(long) = word.strip_prefix("--") {
            let arg = command.get_arguments().find(|a| a.get_long() == Some(long));
            if !long.contains('=') && takes_value(arg) {
                i += 1;
            }
            continue;
        }
        // A cluster of short flags; the first that takes a value takes the rest, or the
        // next word.
        let shorts: Vec<char> = word.chars().skip(1).collect();
        for (n, c) in shorts.iter().enumerate() {
            let arg = command.get_arguments().find(|a| a.get_short() == Some(*c));
            if takes_value(arg) {
                if n + 1 == shorts.len() {
                    i += 1;
                }
                break;
            }
        }
    }
    (i - 1).min(args.len().saturating_sub(1))
}

/// An empty variable counts as unset (`CREDENTIALS_DURATION=` in a CI file), as it does
/// for the AWS tools: its argument forgets the variable.
fn without_empty_env(command: Command) -> Command {
    let empty = |arg: &Arg| {
        arg.get_env()
            .and_then(std::env::var_os)
            .is_some_and(|v| v.is_empty())
    };
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    let mut command = command.mut_args(|arg| {
        if empty(&arg) {
            arg.env(clap::builder::Resettable::<clap::builder::OsStr>::Reset)
        } else {
            arg
        }
    });
    for name in names {
        command = command.mut_subcommand(name, without_empty_env);
    }
    command
}

/// A variable's older name, read when the new one is not set (or empty): -O's
/// RUNAS_OUTPUT_FORMAT stands in for RUNAS_OUTPUT.
fn with_older_names(command: Command) -> Command {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let (new, old) = (
        variables::RUNAS_OUTPUT.name,
        variables::RUNAS_OUTPUT_FORMAT.name,
    );
    if set(new) || !set(old) {
        return command;
    }
    command.mut_arg("output", |arg| arg.env(old))
}

/// The definition the shell's completion asks: once PROFILE is given, only the command
/// and its arguments are left to complete (runas's options stay known, hidden, so that
/// the words before PROFILE still parse).
pub fn completion_command() -> Command {
    let full = Cli::command();
    let Some(words_after_profile) = completing_after_profile(&full) else {
        return full;
    };
    let options: Vec<Arg> = full
        .get_arguments()
        .filter(|a| !a.is_positional())
        .cloned()
        .map(|a| a.hide(true))
        .collect();
    Command::new("runas")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(options)
        .arg(Arg::new("profile").value_name("PROFILE"))
        .arg(
            Arg::new("command")
                .value_name("COMMAND")
                .num_args(1..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true)
                .add(ArgValueCompleter::new(CommandWords {
                    first: words_after_profile == 0,
                })),
        )
}

/// When the word being completed comes after PROFILE (the words before it are runas's
/// options, then a word that is not a subcommand), how many words lie between the two.
fn completing_after_profile(command: &Command) -> Option<usize> {
    let args: Vec<OsString> = std::env::args_os().collect();
    // `runas -- runas WORD…`: the words of the line being completed follow `--`.
    let start = args.iter().position(|a| a == "--")?;
    let words = &args[start + 1..];
    let current = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(words.len().saturating_sub(1));
    let before = &words[..current.min(words.len())];
    let leading = leading_options(command, before);
    let profile = before.get(1 + leading)?.to_str()?;
    let after = !SUBCOMMANDS.contains(&profile) && !profile.starts_with('-');
    after.then(|| before.len() - 2 - leading)
}

/// The command's words: a program on PATH (or a path) first, then files.
struct CommandWords {
    /// Completing the command's name, not one of its arguments.
    first: bool,
}

impl ValueCompleter for CommandWords {
    fn complete(&self, current: &OsStr) -> Vec<CompletionCandidate> {
        let mut found = Vec::new();
        let prefix = current.to_string_lossy();
        if self.first && !prefix.contains('/') {
            found = programs(&prefix);
        }
        found.extend(PathCompleter::any().complete(current));
        if found.is_empty() && prefix.starts_with('-') {
            // The command's own option: nothing to offer, and certainly not runas's
            // (hidden) options, which the engine shows when nothing else is found.
            found.push(CompletionCandidate::new(current));
        }
        found
    }
}

/// Executables on PATH whose names start with `prefix`, sorted, once each.
fn programs(prefix: &str) -> Vec<CompletionCandidate> {
    use std::os::unix::fs::PermissionsExt;
    let mut names = std::collections::BTreeSet::new();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let executable = std::fs::metadata(entry.path())
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if name.starts_with(prefix) && executable {
                names.insert(name);
            }
        }
    }
    names.into_iter().map(CompletionCandidate::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn leading_options_and_their_values_are_counted() {
        let c = Cli::command();
        assert_eq!(
            leading_options(&c, &args(&["runas", "-v", "diagnose", "p"])),
            1
        );
        assert_eq!(
            leading_options(
                &c,
                &args(&["runas", "--region", "x", "-vv", "list", "profiles"])
            ),
            3
        );
        assert_eq!(
            leading_options(&c, &args(&["runas", "-vo", "123456", "p"])),
            2
        );
        assert_eq!(leading_options(&c, &args(&["runas", "-vo123456", "p"])), 1);
        assert_eq!(leading_options(&c, &args(&["runas", "--region=x", "p"])), 1);
        assert_eq!(leading_options(&c, &args(&["runas", "p", "-v"])), 0);
    }

    /// Every argv of up to three words from a pool of the words that matter to the parser
    /// (options, `--`, subcommand names, empty and non-UTF-8 words): whenever the plain
    /// path answers, clap answers the same.
    #[test]
    fn the_plain_run_is_what_clap_makes_of_it() {
        use std::os::unix::ffi::OsStringExt;
        for name in OPTION_VARIABLES {
            assert!(
                std::env::var_os(name).is_none(),
                "unset {name} to run this test"
            );
        }
        let mut pool: Vec<OsString> = [
            "prod",
            "--",
            "-",
            "-v",
            "-S",
            "-O",
            "json",
            "--region",
            "--region=x",
            "-vo1",
            "help",
            "ecr",
            "login",
            "list",
            "diagnose",
            "serve",
            "generate-docs",
            "-h",
            "--help",
            "--version",
            "-V",
            "",
            "a b",
            "arn:aws:iam::123456789012:role/R",
            "--nope",
            "-x",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        pool.push(OsString::from_vec(b"caf\xe9".to_vec()));
        let mut clap = Cli::command();
        let mut argvs: Vec<Vec<OsString>> = vec![args(&["runas"])];
        let mut answered = 0;
        for _ in 0..3 {
            let mut longer = Vec::new();
            for argv in &argvs {
                for word in &pool {
                    let mut next = argv.clone();
                    next.push(word.clone());
                    if let Some(plain) = plain_run(&next, |_| false) {
                        let matches = clap
                            .try_get_matches_from_mut(next.clone())
                            .unwrap_or_else(|e| panic!("{next:?}: clap refuses it: {e}"));
                        let by_clap = Cli::from_arg_matches(&matches).expect("the same struct");
                        assert_eq!(format!("{plain:?}"), format!("{by_clap:?}"), "{next:?}");
                        answered += 1;
                    }
                    longer.push(next);
                }
            }
            argvs = longer;
        }
        assert!(answered > 500, "only {answered} plain runs");
    }

    #[test]
    fn the_plain_run_knows_every_subcommand_and_option_variable() {
        let command = Cli::command();
        let mut names: Vec<&str> = command.get_subcommands().map(|s| s.get_name()).collect();
        names.push("help");
        names.sort();
        let mut known = SUBCOMMANDS.to_vec();
        known.push(GENERATE_DOCS);
        known.sort();
        assert_eq!(names, known);
        let mut variables: Vec<String> = command
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        variables.sort();
        let older = [variables::RUNAS_OUTPUT_FORMAT.name];
        let mut known: Vec<String> = OPTION_VARIABLES
            .iter()
            .filter(|v| !older.contains(v))
            .map(|v| v.to_string())
            .collect();
        known.sort();
        assert_eq!(variables, known);
    }

    #[test]
    fn an_option_variable_leaves_argv_to_clap() {
        let argv = args(&["runas", "prod", "true"]);
        assert!(plain_run(&argv, |_| false).is_some());
        for name in OPTION_VARIABLES {
            assert!(plain_run(&argv, |v| v == name).is_none(), "{name}");
        }
    }
}
