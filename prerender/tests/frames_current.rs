//! `js/frames.js` is what the component renders now: a change to the panel's markup, its
//! English strings or its defaults must come with the regenerated file.

use std::path::Path;

use nexudus_prerender::{module, variants, MODULE_PATH};

#[tokio::test(flavor = "current_thread")]
async fn the_committed_frames_are_the_components_first_renders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(MODULE_PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let rendered = module(variants().await.unwrap_or_else(|error| panic!("{error}")));
    assert!(
        committed == rendered,
        "{} is not the component's current first frame: run `cargo run -p nexudus-prerender`",
        path.display()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn every_mode_and_file_choice_has_a_frame() {
    let keys: Vec<String> = variants()
        .await
        .unwrap_or_else(|error| panic!("{error}"))
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    for mode in ["start", "board", "attach"] {
        for files in ["link", "file"] {
            assert!(keys.contains(&format!("{mode} {files}")), "{mode} {files}");
        }
    }
}
