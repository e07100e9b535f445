//! Lifetimes as people write them: Go-style durations (`12h`, `90m`, `1h30m`, `1.5h`), the
//! form aws-runas users already have in their files and aliases. A bare number is seconds,
//! which is what the standard `duration_seconds` key holds.

use std::time::Duration;

/// The limits STS puts on the lifetimes it grants; values outside are clamped with a warning
/// rather than sent and refused.
pub mod limits {
    use std::time::Duration;

    pub const MIN: Duration = Duration::from_secs(15 * 60);
    /// GetSessionToken for an IAM user.
    pub(crate) const SESSION_TOKEN_MAX: Duration = Duration::from_secs(36 * 3600);
    /// AssumeRole, for a role whose maximum session duration allows it.
    pub const ROLE_MAX: Duration = Duration::from_secs(12 * 3600);
    /// AssumeRole called with another role's credentials ("role chaining").
    pub(crate) const CHAINED_ROLE_MAX: Duration = Duration::from_secs(3600);

    pub(crate) const SESSION_TOKEN_DEFAULT: Duration = Duration::from_secs(12 * 3600);
    pub(crate) const ROLE_DEFAULT: Duration = Duration::from_secs(3600);
}

/// The longest duration either form takes: far beyond any lifetime STS grants, and the
/// same for a bare number as for units, so that every duration prints (`display`) in a
/// form that parses back.
const LONGEST: u64 = u32::MAX as u64;

pub fn parse(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration; write it like 12h, 90m, 1h30m or 3600".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<u64>()
            .ok()
            .filter(|&seconds| seconds <= LONGEST)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("`{s}` is too large"));
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{s}`: the number at the end has no unit (h, m, s)"))?;
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{s}` is not a duration; write it like 12h, 90m or 1h30m"))?;
        let seconds = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            other => {
                return Err(format!(
                    "`{s}`: unknown unit `{other}`; use h, m or s (as in 1h30m)"
                ));
            }
        };
        total += value * seconds;
        rest = tail;
    }
    if !total.is_finite() || total > LONGEST as f64 {
        return Err(format!("`{s}` is too large"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Go's way of printing a duration, so warnings echo the form users write.
pub fn display(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// Fits `d` into `[min, max]`; the second value says what was changed, for a warning.
pub fn clamp(d: Duration, min: Duration, max: Duration) -> (Duration, Option<String>) {
    if d < min {
        (
            min,
            Some(format!(
                "{} is below the STS minimum; using {}",
                display(d),
                display(min)
            )),
        )
    } else if d > max {
        (
            max,
            Some(format!(
                "{} is above the STS maximum; using {}",
                display(d),
                display(max)
            )),
        )
    } else {
        (d, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_durations() {
        assert_eq!(parse("12h"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse("90m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1h0m30s"), Ok(Duration::from_secs(3630)));
        assert_eq!(parse(" 3600 "), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn malformed_durations_say_why() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("12").is_ok());
        assert!(parse("12x").unwrap_err().contains("unknown unit `x`"));
        assert!(parse("1h30").unwrap_err().contains("no unit"));
        assert!(parse("h").unwrap_err().contains("not a duration"));
        assert!(parse("1..5h").unwrap_err().contains("not a duration"));
        assert!(parse("-1h").is_err());
        assert!(parse("99999999999h").unwrap_err().contains("too large"));
    }

    #[test]
    fn a_bare_number_has_the_same_limit_as_units() {
        // Found by fuzzing: 36036006603600 (seconds) was taken, but printed as
        // 10010001834h20m it was too large.
        assert!(parse("36036006603600").unwrap_err().contains("too large"));
        let longest = parse(&u32::MAX.to_string()).unwrap();
        assert_eq!(parse(&display(longest)), Ok(longest));
    }

    #[test]
    fn display_matches_go() {
        assert_eq!(display(Duration::from_secs(5400)), "1h30m");
        assert_eq!(display(Duration::from_secs(43200)), "12h");
        assert_eq!(display(Duration::from_secs(0)), "0s");
        assert_eq!(display(Duration::from_secs(61)), "1m1s");
    }

    #[test]
    fn clamping_reports_what_changed() {
        let (d, note) = clamp(Duration::from_secs(60), limits::MIN, limits::ROLE_MAX);
        assert_eq!(d, limits::MIN);
        assert!(note.unwrap().contains("below"));
        let (d, note) = clamp(
            Duration::from_secs(48 * 3600),
            limits::MIN,
            limits::ROLE_MAX,
        );
        assert_eq!(d, limits::ROLE_MAX);
        assert!(note.unwrap().contains("using 12h"));
        assert_eq!(
            clamp(Duration::from_secs(3600), limits::MIN, limits::ROLE_MAX),
            (Duration::from_secs(3600), None)
        );
    }
}
