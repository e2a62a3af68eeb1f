/** The repository's docs each published package ships in its `guides/` folder, by package name, from the root. */
export declare const GUIDES_BY_PACKAGE: Readonly<Record<string, readonly string[]>>;
