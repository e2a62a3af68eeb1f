/** Persian (U+06F0…) and Arabic-Indic (U+0660…) digits as ASCII, so ۱۲۳ and ١٢٣ read as 123. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String((d.codePointAt(0) as number) & 0xf));
}

/**
 * A receipt reference as the duplicate check sees it: what the bank printed, whatever way the
 * buyer typed it. Compatibility forms folded (full-width letters), digits made ASCII, spaces and
 * dashes of every kind (and the Persian zero-width non-joiner) removed, letters lower-cased.
 */
export function referenceKey(reference: string): string {
  return (
    asciiDigits(reference.normalize('NFKC'))
      // biome-ignore lint/suspicious/noMisleadingCharacterClass: the joiners are stripped one by one, not as parts of a sequence
      .replace(/[\s\u200C\u200D\u2010-\u2015\u2212\uFE58\uFE63\uFF0D_-]/g, '')
      .toLowerCase()
  );
}

/** ASCII digits written as Persian ones (۰…۹), for text a Farsi page shows as typed input. */
export function persianDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => String.fromCodePoint(0x06f0 + Number(d)));
}
