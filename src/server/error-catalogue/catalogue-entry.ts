/** One entry of the error catalogue: what a user or admin sees, why it happens, and what to do. */
export interface CatalogueEntry {
  /** Stable: the anchor in docs/troubleshooting.md and the help link; never renamed once shipped. */
  code: string;
  title: string;
  cause: string;
  fix: string;
  /** Where in the app to look or click. */
  where: string;
}
