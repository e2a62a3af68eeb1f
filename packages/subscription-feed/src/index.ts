// Filled in by the move of the shop's link feed (issue 68).
export {};
