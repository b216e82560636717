// The photo cleaner's entry, which the wasm glue imports (src/photo/clean.rs): it loads
// the cleaner itself, clean-image-work.js beside it, only when a photo is chosen, so a
// page where no one chooses one never fetches it. Bundlers split it off as its own chunk.
// A failed load rejects; the Rust side then keeps the original file.
export function cleanImage(file, options) {
  return import('./clean-image-work.js').then((cleaner) => cleaner.cleanImage(file, options));
}
