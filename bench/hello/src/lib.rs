//! The baseline of `cargo xtask bench`: the smallest Yew 0.23 (csr) app that renders
//! something, built exactly like the widget's npm package (release profile, LTO,
//! `wasm-bindgen --target web`, `wasm-opt -Oz`, esbuild-minified glue). The difference
//! between the two is what the widget adds on top of the framework.

use wasm_bindgen::prelude::wasm_bindgen;
use yew::prelude::*;

/// Renders one paragraph.
#[function_component(Hello)]
fn hello() -> Html {
    html! { <p>{ "Hello, world" }</p> }
}

/// Renders [`Hello`] into `<body>` when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<Hello>::new().render();
}
