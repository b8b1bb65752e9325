/** The Lima version this tool is compatible with; templates compare `minimumLimaVersion` to it. */
export const VERSION = "2.2.0";
