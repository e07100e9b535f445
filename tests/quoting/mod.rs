//! Readers of the formats whose shells the tests cannot run (PowerShell, cmd.exe) and of
//! Docker's `--env-file`, written from their documented rules: each turns runas's lines
//! back into what the shell would set and remove, or says why the shell would read them
//! differently. The fuzz targets use them too.
#![allow(dead_code)]

/// What a script does to the environment, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Set(String, String),
    Remove(String),
}

/// PowerShell's single-quote characters: `'` and U+2018, U+2019, U+201A, U+201B.
fn ps_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// PowerShell's reading of `$Env:NAME = '…'` and `Remove-Item Env:NAME …` statements, one
/// a line: a verbatim string may span lines, ends at a quote character not followed by
/// another, and a doubled one stands for the second of the pair.
pub fn powershell(script: &str) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    let mut rest = script;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("Remove-Item Env:") {
            let (line, next) = after.split_once('\n').unwrap_or((after, ""));
            let name = line
                .strip_suffix(" -ErrorAction SilentlyContinue")
                .ok_or(format!("an error would stop the script: {line:?}"))?;
            changes.push(Change::Remove(variable_name(name)?));
            rest = next;
            continue;
        }
        let after = rest
            .strip_prefix("$Env:")
            .ok_or(format!("not an assignment: {rest:?}"))?;
        let (name, value) = after
            .split_once(" = ")
            .ok_or(format!("no ` = `: {after:?}"))?;
        let mut chars = value.char_indices().peekable();
        if !chars.next().is_some_and(|(_, c)| ps_quote(c)) {
            return Err(format!("not a verbatim string: {value:?}"));
        }
        let mut text = String::new();
        let end = loop {
            match chars.next() {
                None => return Err(format!("the string does not end: {value:?}")),
                Some((at, c)) if ps_quote(c) => match chars.peek() {
                    Some(&(_, next)) if ps_quote(next) => {
                        text.push(next);
                        chars.next();
                    }
                    _ => break at + c.len_utf8(),
                },
                Some((_, c)) => text.push(c),
            }
        };
        rest = match &value[end..] {
            "" => "",
            more => more
                .strip_prefix('\n')
                .ok_or(format!("more after the string: {more:?}"))?,
        };
        changes.push(Change::Set(variable_name(name)?, text));
    }
    Ok(changes)
}

/// cmd.exe's reading of `set "NAME=value"` and `set NAME=` lines in a batch file, with
/// delayed expansion on or off: `%` expands (phase 1) wherever it is, `!` and `^` do under
/// delayed expansion, a `"` inside toggles quoting, so `&|<>` would act, and `set` drops
/// everything after the last quote.
pub fn cmd(script: &str) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for line in script.split("\n").filter(|l| !l.is_empty()) {
        if line.contains(['%', '!', '^', '\r', '\0']) {
            return Err(format!("cmd would expand or drop part of {line:?}"));
        }
        let rest = line
            .strip_prefix("set ")
            .ok_or(format!("not a set command: {line:?}"))?;
        if let Some(quoted) = rest.strip_prefix('"') {
            let inner = quoted.strip_suffix('"').ok_or(format!(
                "set would drop what follows the last quote: {line:?}"
            ))?;
            if inner.contains('"') {
                return Err(format!("a quote inside ends the quoting: {line:?}"));
            }
            let (name, value) = inner.split_once('=').ok_or(format!("no `=`: {line:?}"))?;
            let name = variable_name(name)?;
            changes.push(if value.is_empty() {
                Change::Remove(name)
            } else {
                Change::Set(name, value.to_owned())
            });
        } else {
            let name = rest
                .strip_suffix('=')
                .ok_or(format!("an unquoted set that sets something: {line:?}"))?;
            changes.push(Change::Remove(variable_name(name)?));
        }
    }
    Ok(changes)
}

/// Docker's reading of an `--env-file`: `#` lines are comments, blank lines are skipped,
/// the name is the line up to the first `=` with leading blanks trimmed, the value is the
/// rest as it is, and a line with no `=` takes the variable from the caller's environment.
pub fn docker_env_file(text: &str) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (name, value) = trimmed
            .split_once('=')
            .ok_or(format!("{line:?} would pass the caller's variable on"))?;
        changes.push(Change::Set(variable_name(name)?, value.to_owned()));
    }
    Ok(changes)
}

fn variable_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(format!("not a variable name: {name:?}"))
    }
}

/// `environment` after `changes`.
pub fn apply(
    mut environment: std::collections::BTreeMap<String, String>,
    changes: &[Change],
) -> std::collections::BTreeMap<String, String> {
    for change in changes {
        match change {
            Change::Set(name, value) => {
                environment.insert(name.clone(), value.clone());
            }
            Change::Remove(name) => {
                environment.remove(name);
            }
        }
    }
    environment
}
