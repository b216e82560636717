//! Writes `js/frames.js` (see the library's docs).

use std::path::Path;
use std::process::ExitCode;

use nexudus_prerender::{module, variants, MODULE_PATH};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(MODULE_PATH);
    let frames = match variants().await {
        Ok(frames) => frames,
        Err(error) => {
            eprintln!("nexudus-prerender: {error}");
            return ExitCode::FAILURE;
        }
    };
    match std::fs::write(&path, module(frames)) {
        Ok(()) => {
            eprintln!("nexudus-prerender: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "nexudus-prerender: could not write {}: {error}",
                path.display()
            );
            ExitCode::FAILURE
        }
    }
}
