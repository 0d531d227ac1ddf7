// Types for the parts of `text-readability` (a devDependency without its own
// types) that the content checker uses.
declare module 'text-readability' {
  interface Readability {
    fleschKincaidGrade(text: string): number;
    lexiconCount(text: string, removePunctuation?: boolean): number;
    sentenceCount(text: string): number;
    syllableCount(text: string, lang?: string): number;
  }
  const readability: Readability;
  export default readability;
}
