// unicode-confusables ships no types (its declaration file is misnamed index.ts.d).
declare module 'unicode-confusables' {
  /** Each code point replaced by its UTS #39 confusables.txt prototype; zero-width characters dropped. */
  export function rectifyConfusion(text: string): string;
  export function isConfusing(text: string): boolean;
}
