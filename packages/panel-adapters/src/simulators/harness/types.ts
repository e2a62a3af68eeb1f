/** A simulator is a Fetch-standard handler: the same function serves msw and a real HTTP server. */
export type FetchHandler = (request: Request) => Promise<Response>;
