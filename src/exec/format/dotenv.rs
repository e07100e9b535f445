//! `docker run --env-file` and dotenv libraries: `NAME=value` lines. Docker reads the value
//! literally (quotes included), dotenv libraries unquote it, so values are never quoted;
//! a value the two would read differently, or differently from what runas holds, is
//! refused.

use super::{Refusal, lines};
use crate::exec::Environment;

/// The line `NAME=value`, if Docker and python-dotenv both read `value` back exactly.
pub fn line(name: &str, value: &str) -> Result<String, Refusal> {
    let blank = |c: char| c.is_whitespace() || c.is_control();
    if value.contains(['\r', '\n']) {
        return Err(Refusal("has a line break, which ends the line"));
    }
    if value.starts_with(blank) || value.ends_with(blank) {
        return Err(Refusal("starts or ends with a blank, which dotenv trims"));
    }
    if value.starts_with(['\'', '"']) {
        return Err(Refusal("starts with a quote, which dotenv removes"));
    }
    let mut previous_blank = false;
    for c in value.chars() {
        if c == '#' && previous_blank {
            return Err(Refusal(
                "has a blank before #, which dotenv reads as a comment",
            ));
        }
        previous_blank = blank(c);
    }
    if value.contains("${") {
        return Err(Refusal("holds ${, which dotenv expands"));
    }
    Ok(format!("{name}={value}"))
}

/// A comment for each removed variable (a file cannot remove one, and `NAME=` would not
/// do: botocore takes an empty AWS_PROFILE for a profile named ""; a container started
/// with `--env-file` inherits none of them anyway), then `NAME=value` lines.
pub fn render(environment: &Environment) -> Result<String, (&'static str, Refusal)> {
    lines(environment, line, |name| format!("# {name} stays unset"))
}
