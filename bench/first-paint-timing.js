  // The first-paint pages' timing helpers (bench/first-paint-timing.js), put into each page
  // by bench/first-paint.mjs as it serves it: inline, so no page waits for one more file.
  // Resolves once `selector` is inside `target` (a MutationObserver: no polling delay);
  // `attributes` also wakes it on attribute changes (the live panel shown by a hand-over).
  const appeared = (target, selector, { attributes = false } = {}) =>
    new Promise((resolve) => {
      if (target.querySelector(selector)) return resolve();
      const observer = new MutationObserver(() => {
        if (target.querySelector(selector)) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(target, { childList: true, subtree: true, attributes });
    });
  // Resolves after the next frame has been produced (rAF, then a message: the end of it).
  const frameDone = () =>
    new Promise((resolve) =>
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(0);
      }),
    );
