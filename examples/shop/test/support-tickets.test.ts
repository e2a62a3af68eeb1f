/**
 * Support tickets on the web, in the JSON API and in the back office: a buyer's question reaches the staff (notified by
 * e-mail), staff answer and the buyer is notified, a ticket is closed with a reason and opens again when its buyer
 * writes; bad input is a 4xx with its message and writes nothing; support staff answer and close, only the owner
 * deletes; every staff action is in the audit trail; the owner's overview says how long tickets waited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { formatDuration } from '../src/i18n/duration.js';
import { OPEN_TICKETS_MAX } from '../src/app/support/tickets.js';
import { ticketWait, waitFigures } from '../src/app/support/ticket-waits.js';
import {
  ADMIN,
  csrfFrom,
  ROOMY_RATE_LIMITS,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  visitor,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const en = translator('en');
let t: ShopUnderTest;
let sink: SmtpSink;
let owner: Visitor;
let support: Visitor;
let supportAccountId: string;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startShop({
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Test Shop <shop@example.com>', PUBLIC_URL: 'http://shop.test' },
    app: { rateLimits: ROOMY_RATE_LIMITS },
  });
  owner = await signedInAdmin(t.app);
  const staff = { email: 'ticket-support@example.com', password: 'support-password-123' };
  await owner.agent
    .post('/admin/staff')
    .type('form')
    .send({ _csrf: owner.csrf, ...staff })
    .expect(303);
  supportAccountId = (await t.shop.accounts.getByEmail(staff.email))!.id;
  support = await visitor(t.app);
  await support.agent
    .post('/signin')
    .type('form')
    .send({ _csrf: support.csrf, ...staff })
    .expect(303);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

/** A signed-in buyer with their customer id. */
async function buyer(): Promise<Visitor & { email: string; customerId: string }> {
  const b = await signedUpBuyer(t.app);
  return { ...b, customerId: (await t.shop.storage.customers.getByEmail(b.email))!.id };
}

/** The CSRF token of a page the visitor opens. */
async function csrfOn(v: Visitor, path: string): Promise<string> {
  return csrfFrom((await v.agent.get(path).expect(200)).text);
}

const ticketIdFrom = (location: string | undefined) => /^\/support\/([A-Za-z0-9_-]+)\?/.exec(location ?? '')?.[1] as string;
const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email));

async function auditOf(ticketId: string) {
  return (await t.shop.storage.audit.list({ subjectType: 'ticket', subjectId: ticketId }, { limit: 50 })).items;
}

describe('a ticket on the web, from the buyer’s question to the staff’s answer', () => {
  it('opens, notifies the staff, is answered by support staff, notifies the buyer, and shows the thread to both', async () => {
    const b = await buyer();
    const opened = await b.agent
      .post('/support')
      .type('form')
      .send({ _csrf: await csrfOn(b, '/support'), subject: 'No internet on iPhone', text: 'Connected, but no page opens.' })
      .expect(303);
    const ticketId = ticketIdFrom(opened.headers['location']);
    expect(ticketId).toMatch(/^tkt_/);
    const page = await b.agent.get(`/support/${ticketId}`).expect(200);
    expect(page.text).toContain('No internet on iPhone');
    expect(page.text).toContain('Connected, but no page opens.');
    expect(page.text).toContain(`data-status="waiting"`);

    await t.drain();
    await t.drain();
    const staffMail = mailsTo(ADMIN.email).filter((m) => m.subject.includes('No internet on iPhone'));
    expect(staffMail).toHaveLength(1);
    expect(staffMail[0]!.text).toContain('Connected, but no page opens.');

    t.clock.advance(90 * 60_000);
    const overview = await support.agent.get('/admin/tickets').expect(200);
    expect(overview.text).toContain(`data-ticket="${ticketId}"`);
    expect(overview.text).toContain(formatDuration(90 * 60_000, en));

    const staffPage = await support.agent.get(`/admin/tickets/${ticketId}`).expect(200);
    expect(staffPage.text).not.toContain('data-testid="ticket-delete"');
    await support.agent
      .post(`/admin/tickets/${ticketId}/answer`)
      .type('form')
      .send({ _csrf: csrfFrom(staffPage.text), text: 'Please turn on “Allow LAN” off, then reconnect.' })
      .expect(303);

    const after = await b.agent.get(`/support/${ticketId}`).expect(200);
    expect(after.text).toContain('data-status="answered"');
    expect(after.text).toContain('reconnect.');
    await t.drain();
    await t.drain();
    const buyerMail = mailsTo(b.email).filter((m) => m.subject.includes('No internet on iPhone'));
    expect(buyerMail).toHaveLength(1);
    expect(buyerMail[0]!.text).toContain('reconnect.');
    expect(buyerMail[0]!.text).toContain(`http://shop.test/support/${ticketId}`);

    const trail = await auditOf(ticketId);
    expect(trail.find((e) => e.action === 'ticket.answered')?.actor).toEqual({ type: 'admin', id: supportAccountId });
    expect(trail.find((e) => e.action === 'ticket.opened')?.actor).toEqual({ type: 'customer', id: b.customerId });
  });

  it('is closed by staff with the reason the buyer reads, and opens again when the buyer writes', async () => {
    const b = await buyer();
    const opened = await b.agent
      .post('/support')
      .type('form')
      .send({ _csrf: await csrfOn(b, '/support'), subject: 'Refund?', text: 'Can I get my money back?' })
      .expect(303);
    const ticketId = ticketIdFrom(opened.headers['location']);
    const csrf = await csrfOn(support, `/admin/tickets/${ticketId}`);
    // A close without its reason is refused and changes nothing.
    await support.agent.post(`/admin/tickets/${ticketId}/close`).type('form').send({ _csrf: csrf, reason: '   ' }).expect(400);
    expect((await b.agent.get(`/support/${ticketId}`).expect(200)).text).toContain('data-status="waiting"');
    await support.agent
      .post(`/admin/tickets/${ticketId}/close`)
      .type('form')
      .send({ _csrf: csrf, reason: 'Refunded to your wallet' })
      .expect(303);
    // The second close (another tab, another staff member) is a conflict, not a second close.
    await support.agent.post(`/admin/tickets/${ticketId}/close`).type('form').send({ _csrf: csrf, reason: 'again' }).expect(409);
    const closed = await b.agent.get(`/support/${ticketId}`).expect(200);
    expect(closed.text).toContain('data-status="closed"');
    expect(closed.text).toContain('Refunded to your wallet');
    // Staff cannot answer a closed ticket: told so, nothing written.
    await support.agent.post(`/admin/tickets/${ticketId}/answer`).type('form').send({ _csrf: csrf, text: 'late' }).expect(409);

    await t.drain();
    await t.drain();
    const closedMail = mailsTo(b.email).filter((m) => m.subject.includes('Ticket closed'));
    expect(closedMail).toHaveLength(1);
    expect(closedMail[0]!.text).toContain('Refunded to your wallet');

    await b.agent
      .post(`/support/${ticketId}/reply`)
      .type('form')
      .send({ _csrf: await csrfOn(b, `/support/${ticketId}`), text: 'I do not see it yet' })
      .expect(303);
    const reopened = await b.agent.get(`/api/v1/tickets/${ticketId}`).expect(200);
    expect(reopened.body.ticket).toMatchObject({ status: 'waiting', closedAt: null, closeReason: null });
    expect(reopened.body.messages.map((m: { author: string }) => m.author)).toEqual(['buyer', 'buyer']);
    expect((await auditOf(ticketId)).map((e) => e.action)).toEqual(expect.arrayContaining(['ticket.closed', 'ticket.reopened']));
  });
});

describe('tickets in the JSON API', () => {
  it('opens, lists, reads, writes and closes; a subject left out is the first line', async () => {
    const b = await buyer();
    const created = await b.agent
      .post('/api/v1/tickets')
      .set('x-csrf-token', b.csrf)
      .send({ text: 'Which app for Android?\nI have a Pixel 8.' })
      .expect(201);
    expect(created.body.ticket).toMatchObject({ subject: 'Which app for Android?', status: 'waiting' });
    const id = created.body.ticket.id as string;
    expect((await b.agent.get('/api/v1/tickets').expect(200)).body.tickets.map((x: { id: string }) => x.id)).toEqual([id]);
    const written = await b.agent
      .post(`/api/v1/tickets/${id}/messages`)
      .set('x-csrf-token', b.csrf)
      .send({ text: 'Also a TV' })
      .expect(201);
    expect(written.body.message).toMatchObject({ author: 'buyer', text: 'Also a TV', hasPicture: false });
    const closed = await b.agent.post(`/api/v1/tickets/${id}/close`).set('x-csrf-token', b.csrf).send({ reason: 'Found it' }).expect(200);
    expect(closed.body.ticket).toMatchObject({ status: 'closed', closedBy: 'buyer', closeReason: 'Found it' });
    await b.agent.post(`/api/v1/tickets/${id}/close`).set('x-csrf-token', b.csrf).send({}).expect(409);
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const b = await buyer();
    const empty = await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: '   \n ' }).expect(400);
    expect(empty.body.error.message).toBe(en('support.errors.textRequired'));
    expect(empty.body.error.fields).toEqual({ text: 'support.errors.textRequired' });
    const long = await b.agent
      .post('/api/v1/tickets')
      .set('x-csrf-token', b.csrf)
      .send({ text: 'x'.repeat(3001) })
      .expect(400);
    expect(long.body.error.message).toBe(en('support.errors.tooLong', { max: 3000 }));
    await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: 'hi', priority: 'urgent' }).expect(400);
    await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: 'bell \u0007 ring' }).expect(400);
    await b.agent
      .post('/api/v1/tickets')
      .set('x-csrf-token', b.csrf)
      .send({ subject: 's'.repeat(121), text: 'hi' })
      .expect(400);
    expect((await b.agent.get('/api/v1/tickets').expect(200)).body.tickets).toEqual([]);
    await b.agent.post('/api/v1/tickets').send({ text: 'no csrf' }).expect(403);
    expect((await b.agent.get('/api/v1/tickets').expect(200)).body.tickets).toEqual([]);
  });

  it('never shows or touches another buyer’s ticket (404, as for none)', async () => {
    const a = await buyer();
    const other = await buyer();
    const id = (await a.agent.post('/api/v1/tickets').set('x-csrf-token', a.csrf).send({ text: 'mine' }).expect(201)).body.ticket.id;
    await other.agent.get(`/api/v1/tickets/${id}`).expect(404);
    await other.agent.post(`/api/v1/tickets/${id}/messages`).set('x-csrf-token', other.csrf).send({ text: 'hijack' }).expect(404);
    await other.agent.post(`/api/v1/tickets/${id}/close`).set('x-csrf-token', other.csrf).send({}).expect(404);
    await other.agent.get(`/support/${id}`).expect(404);
    expect((await a.agent.get(`/api/v1/tickets/${id}`).expect(200)).body.messages).toHaveLength(1);
  });

  it('limits the open tickets of one buyer (429 with the reason); closing one lets them open another', async () => {
    const b = await buyer();
    const ids: string[] = [];
    for (let i = 0; i < OPEN_TICKETS_MAX; i++)
      ids.push(
        (
          await b.agent
            .post('/api/v1/tickets')
            .set('x-csrf-token', b.csrf)
            .send({ text: `question ${i}` })
            .expect(201)
        ).body.ticket.id,
      );
    const refused = await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: 'one more' }).expect(429);
    expect(refused.body.error.message).toBe(en('support.errors.tooManyOpen', { max: OPEN_TICKETS_MAX }));
    expect((await b.agent.get('/api/v1/tickets').expect(200)).body.tickets).toHaveLength(OPEN_TICKETS_MAX);
    await b.agent.post(`/api/v1/tickets/${ids[0]}/close`).set('x-csrf-token', b.csrf).send({}).expect(200);
    await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: 'one more' }).expect(201);
  });
});

describe('staff roles on tickets', () => {
  it('lets support answer and close but not delete; the owner deletes, audited; buyers get no staff page', async () => {
    const b = await buyer();
    const id = (await b.agent.post('/api/v1/tickets').set('x-csrf-token', b.csrf).send({ text: 'spam' }).expect(201)).body.ticket.id;
    const csrf = await csrfOn(support, `/admin/tickets/${id}`);
    await support.agent.post(`/admin/tickets/${id}/delete`).type('form').send({ _csrf: csrf }).expect(403);
    await b.agent.get(`/admin/tickets/${id}`).expect(403);
    await b.agent.get('/admin/tickets').expect(403);
    const ownerPage = await owner.agent.get(`/admin/tickets/${id}`).expect(200);
    expect(ownerPage.text).toContain('data-testid="ticket-delete"');
    await owner.agent
      .post(`/admin/tickets/${id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(ownerPage.text) })
      .expect(303);
    await b.agent.get(`/api/v1/tickets/${id}`).expect(404);
    await owner.agent
      .post(`/admin/tickets/${id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(ownerPage.text) })
      .expect(404);
    const deleted = (await auditOf(id)).find((e) => e.action === 'ticket.deleted');
    expect(deleted?.actor.type).toBe('admin');
    expect(deleted?.data).toMatchObject({ customerId: b.customerId, subject: 'spam' });
  });
});

describe('the waits of tickets (one definition)', () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 2, 1, 9, minutes));
  const ticket = (created: number, awaiting: number | null, firstAnswer: number | null) => ({
    id: 'tkt_x',
    customerId: 'cus_x',
    subject: 's',
    status: (awaiting === null ? 'answered' : 'waiting') as 'answered' | 'waiting',
    createdAt: at(created),
    updatedAt: at(created),
    awaitingSince: awaiting === null ? null : at(awaiting),
    firstAnswerAt: firstAnswer === null ? null : at(firstAnswer),
    lastAnswerAt: firstAnswer === null ? null : at(firstAnswer),
    closedAt: null,
    closedBy: null,
    closeReason: null,
  });

  it('counts the current wait from the first unanswered buyer message and the first answer from the opening', () => {
    const now = at(100);
    expect(ticketWait(ticket(0, 0, null), now)).toMatchObject({ firstAnswerMs: 100 * 60_000, unanswered: true, waitingMs: 100 * 60_000 });
    expect(ticketWait(ticket(0, 70, 30), now)).toMatchObject({ firstAnswerMs: 30 * 60_000, unanswered: false, waitingMs: 30 * 60_000 });
    expect(ticketWait(ticket(0, null, 10), now)).toMatchObject({ firstAnswerMs: 10 * 60_000, waitingMs: null });
  });

  it('gives the median (a wait someone had) and the longest', () => {
    expect(waitFigures([])).toEqual({ count: 0, medianMs: null, longestMs: null });
    expect(waitFigures([5, 1, 3])).toEqual({ count: 3, medianMs: 3, longestMs: 5 });
    expect(waitFigures([4, 1, 3, 10])).toEqual({ count: 4, medianMs: 3, longestMs: 10 });
  });
});
