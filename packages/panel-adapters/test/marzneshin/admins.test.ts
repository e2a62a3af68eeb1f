import { PanelAuthError, PanelConflictError, PanelNotFoundError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { ctx, SERVICE_TARGET, setup, spec, useMsw } from './setup.js';

useMsw();

const LIMITED = { adminAccess: { isSudo: false, modifyUsersAccess: true, serviceIds: [1] } } as const;

describe('marzneshin: a limited (non-sudo) admin, whose missing users are 403s', () => {
  it('reads a missing user as null, and its 403 as not found on update and delete', async () => {
    const { adapter, sim, clock } = setup(LIMITED);
    const ref = { target: SERVICE_TARGET, username: spec('l-ghost', clock).identity.username };
    expect(await adapter.getClient(ref, ctx())).toBeNull();
    expect(sim.requests.byRoute.get(`GET /api/users/${ref.username}`)).toBe(1);
    const error = await adapter.updateClient(ref, { trafficLimitBytes: 1 }, ctx()).catch((e: unknown) => e);
    expect(PanelNotFoundError.is(error), String(error)).toBe(true);
    expect((error as PanelNotFoundError).retryable).toBe(false);
    await adapter.deleteClient(ref, ctx());
    await adapter.deleteClient(ref, ctx());
    await expect(adapter.resetUsage(ref, ctx())).rejects.toSatisfy((e: unknown) => PanelNotFoundError.is(e));
    await expect(adapter.updateClient(ref, { enabled: false }, ctx())).rejects.toSatisfy((e: unknown) => PanelNotFoundError.is(e));
  });

  it('another admin’s user is not this admin’s: null to read, and a create under its name is a conflict that creates nothing', async () => {
    const { adapter, sim, clock } = setup(LIMITED);
    const s = spec('l-taken', clock);
    sim.addForeignUser(s.identity.username);
    expect(await adapter.getClient({ target: SERVICE_TARGET, username: s.identity.username }, ctx())).toBeNull();
    const error = await adapter.createClients(SERVICE_TARGET, [s], ctx()).catch((e: unknown) => e);
    expect(PanelConflictError.is(error), String(error)).toBe(true);
    expect((error as PanelConflictError).retryable).toBe(false);
    expect((error as Error).message).toContain('another admin');
    expect(sim.user(s.identity.username)!.owner).toBe('other_admin');
    expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('its own users work as for a sudo admin', async () => {
    const { adapter, sim, clock } = setup(LIMITED);
    const s = spec('l-own', clock);
    const [client] = await adapter.createClients(SERVICE_TARGET, [s], ctx());
    expect(sim.user(s.identity.username)!.owner).toBe('owner');
    expect((await adapter.updateClient(client!.ref, { enabled: false }, ctx())).enabled).toBe(false);
    await adapter.deleteClient(client!.ref, ctx());
    expect(await adapter.getClient(client!.ref, ctx())).toBeNull();
  });

  it('health is ok for it', async () => {
    const { adapter } = setup(LIMITED);
    expect(await adapter.health(ctx())).toMatchObject({ ok: true, message: null });
  });
});

describe('marzneshin: an admin that cannot run a shop is refused clearly', () => {
  it('without modify_users_access: health says why, and a delete is a PanelAuthError, never a success', async () => {
    const { adapter, sim, clock } = setup({ adminAccess: { isSudo: false, modifyUsersAccess: false, serviceIds: [1] } });
    const health = await adapter.health(ctx());
    expect(health.ok).toBe(false);
    expect(health.message).toContain('modify_users_access');
    const s = spec('l-readonly', clock);
    const [client] = await adapter.createClients(SERVICE_TARGET, [s], ctx());
    const error = await adapter.deleteClient(client!.ref, ctx()).catch((e: unknown) => e);
    expect(PanelAuthError.is(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('modify_users_access');
    expect(await sim.countClients(s.identity.username)).toBe(1);
    // A delete of a user that is gone is refused the same way: the admin could not have deleted it.
    await expect(adapter.deleteClient({ target: SERVICE_TARGET, username: 'l_nobody' }, ctx())).rejects.toSatisfy((e: unknown) =>
      PanelAuthError.is(e),
    );
  });

  it('without services (and without all_services_access): health says why', async () => {
    const { adapter } = setup({ adminAccess: { isSudo: false, modifyUsersAccess: true, serviceIds: [] } });
    const health = await adapter.health(ctx());
    expect(health).toMatchObject({ ok: false });
    expect(health.message).toContain('no services');
  });

  it('a sudo admin is healthy', async () => {
    const { adapter } = setup();
    expect(await adapter.health(ctx())).toMatchObject({ ok: true, message: null });
  });
});
