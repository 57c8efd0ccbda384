export declare const corpus: string[]
