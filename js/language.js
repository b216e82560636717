// Which of the shipped languages a tag (or, without one, the page) asks for. Shared by
// index.js, which loads its pack, and paint.js, which paints early only in English.

/** The languages shipped as packs (`locales/<tag>.json`); English is built in. */
export const PACKS = ['fr', 'de', 'es', 'it', 'nl', 'pt', 'pt-PT'];

/** The shipped language for `tag`, or, when none is given, the page's; other tags as given. */
export function pick(tag) {
  const wanted = tag == null ? [document.documentElement.lang, ...(navigator.languages ?? [])] : [tag];
  for (const candidate of wanted) {
    if (typeof candidate !== 'string' || candidate === '') continue;
    const [language, region = ''] = candidate.trim().toLowerCase().split(/[-_]/);
    if (language === 'pt' && region === 'pt') return 'pt-PT';
    if (language === 'en' || PACKS.includes(language)) return language;
  }
  return tag ?? 'en';
}
