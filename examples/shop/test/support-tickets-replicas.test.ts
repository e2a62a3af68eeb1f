import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { OPEN_TICKETS_MAX, openTicket, ticketOfBuyer, ticketsOfBuyer } from '../src/app/support/tickets.js';
import { notificationsOf } from '../src/db/notifications.js';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';
import { csrfFrom, TEST_SECRET_KEYS } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** A staff member signed in on one replica (a session, its CSRF token). */
interface StaffOn {
  agent: ReturnType<typeof supertest.agent>;
  csrf: string;
}

async function signInOn(url: string, email: string): Promise<StaffOn> {
  const agent = supertest.agent(url);
  const page = await agent.get('/signin').expect(200);
  await agent
    .post('/signin')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password: 'correct horse battery' })
    .expect(303);
  return { agent, csrf: csrfFrom((await agent.get('/admin/tickets').expect(200)).text) };
}

/**
 * Two staff members acting on one ticket at once, from three web replicas (three OS processes on one PostgreSQL):
 * every answer is either in the thread (and its buyer told of it once) or refused because the ticket was closed first,
 * never dropped without a word; exactly one close wins, and the buyer is told of it once. And one buyer opening tickets
 * on every replica at once gets no more open than the limit.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `support tickets across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'support-tickets-secret-support-tickets',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      STAFF_TOTP: 'optional',
      LOG_LEVEL: 'silent',
    };
    const beside = shopBesideReplicas(3, env);

    it('keeps every answer or refuses it, and closes once, whichever replicas two staff members reach', async () => {
      const { shop } = beside;
      const staff: string[] = [];
      for (const [email, role] of [
        ['owner@example.com', 'admin'],
        ['support@example.com', 'support'],
      ] as const) {
        const signed = await signUp(shop, { email, password: 'correct horse battery', locale: 'en' });
        if (!signed.ok) throw new Error('sign-up failed');
        await shop.accounts.setRole(signed.account.id, role);
        staff.push(email);
      }
      const buyer = await signUp(shop, { email: 'asks@example.com', password: 'correct horse battery', locale: 'en' });
      if (!buyer.ok) throw new Error('sign-up failed');
      const customerId = buyer.account.customerId;
      const sessions: StaffOn[] = [];
      for (const [i, url] of beside.replicas.entries()) sessions.push(await signInOn(url, staff[i % 2] as string));
      sessions.push(await signInOn(beside.replicas[0] as string, staff[1] as string));

      for (let round = 0; round < 3; round++) {
        const ticket = await openTicket(shop, customerId, { subject: `Round ${round}`, text: 'Is anyone there?' });
        const answers = Array.from({ length: 8 }, (_, i) => `answer ${round}.${i}`);
        const posts = [
          ...answers.map((text, i) => {
            const s = sessions[i % sessions.length] as StaffOn;
            return s.agent.post(`/admin/tickets/${ticket.id}/answer`).type('form').send({ _csrf: s.csrf, text });
          }),
          ...[0, 1, 2].map((i) => {
            const s = sessions[(i + round) % sessions.length] as StaffOn;
            return s.agent
              .post(`/admin/tickets/${ticket.id}/close`)
              .type('form')
              .send({ _csrf: s.csrf, reason: `close ${round}.${i}` });
          }),
        ];
        const statuses = (await Promise.all(posts)).map((r) => r.status);
        const answerStatuses = statuses.slice(0, answers.length);
        const closeStatuses = statuses.slice(answers.length);
        expect(closeStatuses.filter((s) => s === 303)).toHaveLength(1);
        expect(closeStatuses.filter((s) => s === 409)).toHaveLength(2);
        expect(answerStatuses.every((s) => s === 303 || s === 409)).toBe(true);

        const thread = await ticketOfBuyer(shop, customerId, ticket.id);
        expect(thread.ticket.status).toBe('closed');
        const kept = thread.messages.filter((m) => m.author === 'staff').map((m) => m.body);
        // Each answer told 303 is in the thread, each told 409 is not: nothing lost, nothing said to be kept that was not.
        expect(kept.sort()).toEqual(answers.filter((_, i) => answerStatuses[i] === 303).sort());
        // Every kept answer came before the close.
        for (const m of thread.messages) expect(m.createdAt.getTime()).toBeLessThanOrEqual(thread.ticket.closedAt!.getTime());
      }

      // The buyer is told of each kept answer once and of each close once, by two workers running the jobs at once.
      const workers = [0, 1].map(() => shop.kit.createWorker({ hostJobs: shop.hostJobs, engineJobs: false }));
      await Promise.all(workers.map((w) => w.drain()));
      const notices = (await notificationsOf(shop).history(customerId, { limit: 200 })).items;
      const audit = (await shop.storage.audit.list({ actor: 'admin' }, { limit: 200 })).items;
      const answered = audit.filter((e) => e.action === 'ticket.answered');
      expect(answered.length).toBeGreaterThan(0);
      expect(
        notices
          .filter((n) => n.kind === 'ticket_answered')
          .map((n) => n.source)
          .sort(),
      ).toEqual(answered.map((e) => `ticket_message:${String(e.data['messageId'])}`).sort());
      expect(notices.filter((n) => n.kind === 'ticket_closed')).toHaveLength(3);
      expect(audit.filter((e) => e.action === 'ticket.closed')).toHaveLength(3);
    }, 120_000);

    it('lets one buyer opening tickets on every replica at once pass the limit of open tickets nowhere', async () => {
      const { shop } = beside;
      const signed = await signUp(shop, { email: 'many@example.com', password: 'correct horse battery', locale: 'en' });
      if (!signed.ok) throw new Error('sign-up failed');
      const agents = await Promise.all(
        beside.replicas.map(async (url) => {
          const agent = supertest.agent(url);
          const page = await agent.get('/signin').expect(200);
          await agent
            .post('/signin')
            .type('form')
            .send({ _csrf: csrfFrom(page.text), email: 'many@example.com', password: 'correct horse battery' });
          return { agent, csrf: csrfFrom((await agent.get('/support').expect(200)).text) };
        }),
      );
      const answers = await Promise.all(
        Array.from({ length: 9 }, (_, i) => {
          const { agent, csrf } = agents[i % agents.length]!;
          return agent
            .post('/api/v1/tickets')
            .set('x-csrf-token', csrf)
            .send({ text: `question ${i}` });
        }),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(OPEN_TICKETS_MAX).fill(201), ...Array(9 - OPEN_TICKETS_MAX).fill(429)]);
      expect(await ticketsOfBuyer(shop, signed.account.customerId)).toHaveLength(OPEN_TICKETS_MAX);
    }, 120_000);
  },
);
