import { request as httpRequest, type ClientRequest } from 'node:http';

/** A JSON answer: its status and body. */
export interface Answer {
  status: number;
  body: { replayed?: boolean; order?: { id: string }; error?: { code?: string }; [field: string]: unknown };
}

/**
 * A POST whose last body byte is held back: `release()` sends it. Two of these released together reach their
 * servers as complete requests at the same moment (a barrier over HTTP: neither server can start before both are
 * whole on the wire).
 */
export function heldPost(url: string, path: string, token: string, body: unknown): { sent: Promise<void>; release: () => Promise<Answer> } {
  const bytes = Buffer.from(JSON.stringify(body));
  let req!: ClientRequest;
  const answer = new Promise<Answer>((done, fail) => {
    req = httpRequest(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': bytes.length, authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', fail);
  });
  const sent = new Promise<void>((done) => {
    req.write(bytes.subarray(0, bytes.length - 1), () => done());
  });
  return {
    sent,
    release: () => {
      req.end(bytes.subarray(bytes.length - 1));
      return answer;
    },
  };
}
