//! The report as PDF, printed from its HTML by headless Chromium when the
//! server has it (`CHROMIUM_PATH`, or `chromium`, `chromium-browser`,
//! `google-chrome` on the `PATH`). Chromium lays the page out exactly as a
//! browser prints it, print style sheet and charts included; without it the
//! service answers 406 and the HTML can be printed from a browser instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// How long Chromium may take to print one report.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The programs looked for on the `PATH`, in order.
const NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The Chromium to print with: `CHROMIUM_PATH`, or the first of [`NAMES`]
/// on the `PATH`; `None` when there is none.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| NAMES.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The 406 for a server without Chromium.
fn unavailable() -> ApiError {
    ApiError::NotAcceptable(
        "this server cannot make PDF: it needs headless Chromium (set CHROMIUM_PATH, or \
         install chromium); ask for text/html and print the page from a browser instead"
            .into(),
    )
}

/// Print `html` to PDF (A4, the page's own margins, no header or footer).
/// Blocking: run it off the async workers.
pub fn print(html: &str) -> Result<Vec<u8>, ApiError> {
    let chromium = chromium().ok_or_else(unavailable)?;
    let dir = scratch_dir()?;
    let result = print_in(&chromium, &dir, html);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A new private folder for one print.
fn scratch_dir() -> Result<PathBuf, ApiError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("redress-pdf-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(ApiError::internal)?;
    Ok(dir)
}

fn print_in(chromium: &Path, dir: &Path, html: &str) -> Result<Vec<u8>, ApiError> {
    let page = dir.join("report.html");
    let pdf = dir.join("report.pdf");
    std::fs::write(&page, html).map_err(ApiError::internal)?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ApiError::internal(format!("cannot start Chromium: {e}")))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(ApiError::internal)? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ApiError::internal(
                "Chromium took too long to print the report",
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        return Err(ApiError::internal(format!(
            "Chromium did not print the report ({status})"
        )));
    }
    Ok(bytes)
}
