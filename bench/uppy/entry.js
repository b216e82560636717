// What a portal developer would pick instead of the panel: Uppy's core and its Dashboard,
// inline in the page, as Uppy's own documentation starts. bench/first-paint.mjs bundles this
// with esbuild (minified ES module, its CSS beside it) and measures it beside the panel.
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

/** Mounts an inline Dashboard into `target`; returns the Uppy instance. */
export function mountUppy(target) {
  return new Uppy({ restrictions: { maxNumberOfFiles: 10, maxFileSize: 25 * 1024 * 1024 } }).use(Dashboard, {
    inline: true,
    target,
    height: 420,
    proudlyDisplayPoweredByUppy: false,
  });
}
