//! Handing the sign-in URL to a browser without putting it in any process's arguments,
//! where every local user can read it: the browser gets the path of a 0600 page, in a
//! 0700 directory of its own, that forwards to the URL; the page is removed afterwards.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// How long the page stays for the browser to read it, after the opener has returned.
const READ_TIME: Duration = Duration::from_secs(10);

/// Opens `url` through a private page, in the first of `BROWSER`, `xdg-open` and `open`
/// that takes it (see [`crate::browser`]).
pub fn open(url: &Secret) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("runas-console-")
        .tempdir()
        .map_err(|e| Error::Usage(format!("cannot make a directory for the sign-in page: {e}")))?;
    let page = dir.path().join("console.html");
    write_page(&page, url).map_err(|e| Error::file(&page, format!("cannot write it: {e}")))?;
    if crate::browser::open(&page.to_string_lossy()).is_none() {
        return Err(Error::Usage(
            "no browser opened the console: set BROWSER, install xdg-open, or use --url and \
             open it yourself"
                .into(),
        ));
    }
    // An opener hands the page to a browser that reads it a moment later.
    std::thread::sleep(READ_TIME.min(crate::deadline::timeout()));
    Ok(())
}

fn write_page(path: &Path, url: &Secret) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(page(url).as_bytes())?;
    file.sync_all()
}

/// A page that goes on to `url` at once, with a link for a browser that does not.
fn page(url: &Secret) -> String {
    let attribute = html_escape(url.expose());
    let script = serde_json::to_string(url.expose())
        .unwrap_or_default()
        .replace('<', "\\u003c");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={attribute}\">\
         <title>AWS console</title></head>\n<body><script>location.replace({script});</script>\
         <a href=\"{attribute}\">Open the AWS console</a></body></html>\n"
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_url_escaped_and_is_private() {
        let url = Secret::new("https://x/?a=1&b=\"</script>");
        let text = page(&url);
        assert!(text.contains("url=https://x/?a=1&amp;b=&quot;&lt;/script&gt;\""));
        assert!(text.contains(r#"location.replace("https://x/?a=1&b=\"\u003c/script>")"#));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.html");
        write_page(&path, &url).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
