//! runas's stdout, which is often a pipe into `head`, `grep -q` or `eval`. A reader that
//! has gone (a broken pipe) ends the run quietly and successfully, as it ends `cat`: it
//! took what it wanted.

use std::io::Write;

/// A line on stdout, as `println!` but without panicking on a broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::text(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use say;

/// `text` on stdout, flushed.
pub fn text(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("runas: cannot write to stdout: {e}");
        std::process::exit(crate::error::Exit::Failure as i32);
    }
}
